package dev.pooled;

/**
 * The JMX view of one pool, registered as {@code dev.pooled:type=Pool,service=<service>,db_role=<db_role>} while the
 * pool runs (with {@code ,pool=<n>} added when the same service and role run more than one pool). Attributes match
 * {@link PoolStats}.
 *
 * @since 0.1.0
 */
public interface PoolMXBean {
    /** @return the pool name */
    String getPool();

    /** @return the version of the config in force ({@link PoolStats#configVersion()}); 0 = the one it started with */
    long getConfigVersion();

    /** @return the current limit on connections held at once */
    int getLimit();

    /** @return connections held by callers */
    int getActive();

    /** @return idle physical connections */
    int getIdle();

    /** @return physical connections, idle or in use */
    int getTotal();

    /** @return callers waiting */
    int getQueueDepth();

    /** @return {@code max_queue} */
    int getMaxQueue();

    /** @return active / limit */
    double getUtilization();

    /** @return connections handed out since the start */
    long getAcquired();

    /** @return requests turned away since the start, for any reason */
    long getRejected();

    /** @return requests that timed out since the start */
    long getTimedOut();

    /** @return connections reported as leaked since the start */
    long getLeaked();

    /** @return connections taken back since the start */
    long getReclaimed();

    /** @return 99th percentile of the wait for a connection since the start, in microseconds */
    long getWaitP99Micros();

    /** @return physical connections the pool keeps now (the sizing target after the budget) */
    int getTargetSize();

    /** @return λ: arrivals of borrows per second over the last 5 s */
    double getArrivalRate();

    /** @return W: mean hold time over the last 5 s, in microseconds; NaN before any acquisition */
    double getHoldTimeMicros();

    /** @return λ·W over the last 5 s, in connections */
    double getOfferedLoad();

    /** @return why the size last changed */
    String getSizingReason();

    /** @return {@code closed}, {@code open}, {@code half_open} or {@code disabled} */
    String getBreakerState();

    /** @return connections the shared budget grants this pool; -1 without a budget */
    int getBudgetShare();

    /** @return whether the pool admits nobody */
    boolean isPaused();

    /** Closes idle connections now and borrowed ones when they come back; the pool opens fresh ones. */
    void softEvictIdle();

    /** Admits nobody until {@link #resume()}: callers queue and time out; connections held are unaffected. */
    void pause();

    /** Admits callers again, waiters first. */
    void resume();
}
