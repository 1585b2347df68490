package dev.pooled.etcd.internal;

/** Lets tests in other packages compute the split the allocator aims for. */
public final class BudgetTestAccess {
    private BudgetTestAccess() {
    }

    public static int[] extra(int movable, int[] priority, int[] want) {
        return BudgetAllocation.extra(movable, priority, want);
    }
}
