package dev.pooled;

/**
 * Where pools find the {@link ConnectionBudget} their {@code budget} setting names. {@link #local()}, the default,
 * keeps budgets in this process's memory; a fleet-wide source (for example the etcd module's) implements this
 * interface and is passed to {@link ConnectionPool#start(PoolConfig, javax.sql.DataSource, Instrumentation,
 * BudgetSource)}.
 *
 * @since 0.1.0
 */
public interface BudgetSource {

    /**
     * @param name the budget's name
     * @param max its {@code budget_max}
     * @return the budget of that name, created on first use
     * @throws PoolBudgetConflictException if the budget already runs with another {@code max}
     */
    ConnectionBudget budget(String name, int max) throws PoolBudgetConflictException;

    /**
     * @return the process-wide in-memory source: pools of this process (whichever registry or data source started
     *         them) that name the same budget share it; a budget no pool claims any more may be re-created with
     *         another {@code budget_max}
     */
    static BudgetSource local() {
        return LocalBudgets.INSTANCE;
    }
}
