package dev.pooled;

import java.time.Duration;

/**
 * Receives a pool's events, for users who want telemetry of their own. Every method has an empty default; a pool
 * with no listener uses {@link #NONE}, whose calls the JIT removes. Methods are called on the thread that caused
 * the event (the borrower, the closer, or the pool's leak-guard thread), synchronously: keep them fast and never
 * block or throw in them.
 *
 * @since 0.1.0
 */
public interface PoolListener {
    /** Does nothing. */
    PoolListener NONE = new PoolListener() {
    };

    /**
     * A caller got a connection.
     *
     * @param pool the pool name
     * @param waitNanos time from {@code getConnection()} to having it, for a caller that queued at the gate; 0 for
     *        one the gate admitted at once (the acquire path reads no clock for those)
     */
    default void acquired(String pool, long waitNanos) {
    }

    /**
     * A connection came back.
     *
     * @param pool the pool name
     * @param heldMillis how long it was held (HikariCP's millisecond measure)
     */
    default void released(String pool, long heldMillis) {
    }

    /**
     * A request was turned away.
     *
     * @param pool the pool name
     * @param reason why
     */
    default void rejected(String pool, RejectReason reason) {
    }

    /**
     * A connection was held past {@code leak_threshold_ms} (reported once per borrow), or taken back after
     * {@code leak_reclaim_ms}.
     *
     * @param pool the pool name
     * @param held how long it had been held
     * @param borrowerStack where it was borrowed; its stack trace is the borrower's
     * @param reclaimed whether it was taken back (aborted)
     */
    default void leaked(String pool, Duration held, Throwable borrowerStack, boolean reclaimed) {
    }
}
