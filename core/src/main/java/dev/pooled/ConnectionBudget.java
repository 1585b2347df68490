package dev.pooled;

/**
 * A concurrency budget: the most connections that several pools may hold together, split among them by demand and
 * priority. Pools name a budget with {@code budget=<name>} and {@code budget_max=<n>}; {@link BudgetSource#local()}
 * shares one among the pools of this process, and a fleet-wide implementation (for example on etcd) plugs in through
 * {@link BudgetSource}.
 *
 * <p>The protocol, from a pool's side: it {@linkplain #claim(String, int) claims} a membership when it starts, then
 * about every 100 ms its control thread {@linkplain Claim#update(int, int) reports} how many connections it wants
 * (its sizing target, already within {@code [min_idle, max_connections]}) and how many it holds, and gets back its
 * grant: the most connections it may hold from then on. A grant below what the pool holds asks it to shrink: the
 * pool lowers its limit at once (callers beyond it wait for returns) and closes physical connections as they come
 * back idle, reporting the smaller holdings in later updates. A pool grows only within its grant. A pool's effective
 * size is therefore {@code min(max_connections, grant)}, and with every member following the protocol the sum of
 * grants never exceeds {@link #max()}.
 *
 * <p>Implementations must be thread-safe. {@link Claim#update(int, int)} runs on the pool's control thread: it must
 * not block on I/O (an implementation backed by a remote store answers from its last known state and refreshes
 * asynchronously) and must never raise a grant it cannot back. Losing contact with a remote store must mean keeping
 * or shrinking grants, never growing them.
 *
 * @since 0.1.0
 */
public interface ConnectionBudget {

    /** @return the budget's name, as pools give it in {@code budget} */
    String name();

    /** @return the most connections all members hold together ({@code budget_max}) */
    int max();

    /**
     * Joins the budget. The first grant comes from the first {@link Claim#update(int, int)}.
     *
     * @param pool the pool's name, unique in the process; for messages and metrics
     * @param priority {@value PoolConfig#MIN_PRIORITY} to {@value PoolConfig#MAX_PRIORITY}; under contention higher
     *        priorities are granted their demand first and lower ones are shrunk first
     * @return the membership; the pool closes it when it closes
     */
    Claim claim(String pool, int priority);

    /**
     * One pool's membership of a budget.
     *
     * @since 0.1.0
     */
    interface Claim extends AutoCloseable {
        /**
         * Reports the pool's demand and holdings and returns its grant. Never blocks on I/O.
         *
         * @param demand connections the pool would like to hold now, at least 0
         * @param held connections the pool holds or may still open: the largest of its physical connections, the
         *        size its physical pool may grow to, and the connections borrowed now
         * @return the most connections the pool may hold from now on, at least 0
         */
        int update(int demand, int held);

        /** @return the grant of the last {@link #update(int, int)}, 0 before the first */
        int grant();

        /** Leaves the budget; everything the pool held is free for the others. Idempotent. */
        @Override
        void close();
    }
}
