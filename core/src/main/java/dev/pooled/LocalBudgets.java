package dev.pooled;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The process-wide in-memory {@link BudgetSource}. A budget is kept once created (a name and two numbers per budget);
 * one that no pool claims any more is replaced when a pool asks for it with another size. Thread-safe.
 */
final class LocalBudgets implements BudgetSource {
    /** The one instance, behind {@link BudgetSource#local()}. */
    static final LocalBudgets INSTANCE = new LocalBudgets();

    private final ConcurrentHashMap<String, LocalBudget> budgets = new ConcurrentHashMap<>();

    private LocalBudgets() {
    }

    @Override
    public ConnectionBudget budget(String name, int max) throws PoolBudgetConflictException {
        // A budget nobody claims any more may be re-created with another size; one in use may not, nor one just
        // handed out to a pool that is about to claim it (two pools starting at once with different sizes must
        // not end with two budgets under one name).
        LocalBudget b = budgets.compute(name, (n, cur) -> {
            LocalBudget next = cur == null || cur.max() != max && cur.unused() ? new LocalBudget(n, max) : cur;
            if (next.max() == max) {
                next.handedOut();
            }
            return next;
        });
        if (b.max() != max) {
            throw new PoolBudgetConflictException("budget " + name + " already runs in this process with budget_max="
                    + b.max() + "; this pool asks for budget_max=" + max
                    + ". Pools that share a budget must give it the same budget_max");
        }
        return b;
    }

    @Override
    public String toString() {
        return "LocalBudgets" + budgets.keySet();
    }
}
