package dev.pooled;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import dev.pooled.internal.PoolMetrics;

/**
 * HikariCP's one observation slot, for the timings HikariCP measures anyway: use (borrow to close), create, and its
 * own part of a borrow. The gate's permit does not go back here: HikariCP evicts a broken connection without
 * recycling it.
 *
 * <p>Installed only while something consumes per-borrow timings ({@link PoolMetrics#timingsConsumed()}): without
 * it HikariCP runs its null tracker and reads no clock beyond its own.
 *
 * <p>Who times a wait: a caller that queued at the gate times its whole wait itself (gate plus HikariCP) and marks
 * its thread with {@link #selfTimed()} while it borrows; the control thread marks its own borrows (closing idle
 * connections) with {@link #internalBorrow()}. This tracker times only the borrows of callers the gate admitted at
 * once that HikariCP itself made wait (a connection still opening). A borrow under 10 µs returns before the
 * thread-local is read, so an immediate borrow costs one comparison here.
 */
final class HikariTracker implements IMetricsTracker {
    /** Non-zero while this thread's borrow is timed elsewhere or is the pool's own. */
    private static final ThreadLocal<long[]> MARK = ThreadLocal.withInitial(() -> new long[1]);
    private static final long SELF_TIMED = 1L;
    private static final long INTERNAL_BORROW = 2L;

    private final PoolMetrics metrics;

    HikariTracker(PoolMetrics metrics) {
        this.metrics = metrics;
    }

    /** Marks this thread's next borrow as timed by its caller, until {@link #clear()}. */
    static void selfTimed() {
        MARK.get()[0] = SELF_TIMED;
    }

    /** Marks this thread's next borrows as the pool's own until {@link #clear()}. */
    static void internalBorrow() {
        MARK.get()[0] = INTERNAL_BORROW;
    }

    /** Ends a mark. */
    static void clear() {
        MARK.get()[0] = 0L;
    }

    @Override
    public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
        metrics.recordCreate(connectionCreatedMillis);
    }

    @Override
    public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
        if (PoolMetrics.worthTiming(elapsedAcquiredNanos) && MARK.get()[0] == 0L) {
            metrics.recordWait(elapsedAcquiredNanos);
        }
    }

    /**
     * HikariCP reports a timed-out borrow through {@link #recordConnectionAcquiredNanos} too (timed: it lasted the
     * caller's whole timeout), then calls this on the same thread: it was no acquisition's wait after all (the zero
     * waits of {@code PoolStats} rely on the count).
     */
    @Override
    public void recordConnectionTimeout() {
        if (MARK.get()[0] == 0L) {
            metrics.timedWaitFailed();
        }
    }

    @Override
    public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
        metrics.recordUse(elapsedBorrowedMillis);
    }
}
