package dev.pooled;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import dev.pooled.internal.PoolMetrics;

/**
 * HikariCP's one observation slot, for the timings HikariCP measures anyway (borrow, use, create), and the
 * thread-local hand-off that lets it report the gate's wait with its own. The gate's permit does not go back here:
 * HikariCP evicts a broken connection without recycling it.
 *
 * <p>Installed only while something consumes per-borrow timings ({@link PoolMetrics#timingsConsumed()}): without
 * it HikariCP runs its null tracker and reads no clock beyond its own, and the pool times only the callers that
 * queued at the gate ({@link HikariBackend#tracked()}).
 *
 * <p>Hand-off contract: a caller that waited at the gate stores the wait with {@link #gateWaited(long)} just before
 * it borrows from HikariCP on the same thread; HikariCP then calls {@link #recordConnectionAcquiredNanos} on that
 * thread, which adds and clears it. A borrow that fails clears it with {@link #clear()}. The control thread marks its
 * own borrows (closing idle connections) with {@link #internalBorrow()}, so that they are not timed.
 */
final class HikariTracker implements IMetricsTracker {
    /**
     * [0]: the gate wait of the slow-path caller on this thread, or {@link #INTERNAL_BORROW}; only the slow path
     * and the control thread write it. [1]: 1 if this thread's last borrow was timed, for a timeout that follows.
     */
    private static final ThreadLocal<long[]> GATE_WAIT = ThreadLocal.withInitial(() -> new long[2]);
    private static final long INTERNAL_BORROW = Long.MIN_VALUE;

    private final PoolMetrics metrics;

    HikariTracker(PoolMetrics metrics) {
        this.metrics = metrics;
    }

    /** @param nanos the time this thread's caller just waited at the gate */
    static void gateWaited(long nanos) {
        GATE_WAIT.get()[0] = nanos;
    }

    /** Forgets a hand-off whose borrow failed. */
    static void clear() {
        GATE_WAIT.get()[0] = 0L;
    }

    /** Marks this thread's next borrows as the pool's own until {@link #clear()}. */
    static void internalBorrow() {
        GATE_WAIT.get()[0] = INTERNAL_BORROW;
    }

    @Override
    public void recordConnectionCreatedMillis(long connectionCreatedMillis) {
        metrics.recordCreate(connectionCreatedMillis);
    }

    @Override
    public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
        long[] gateWait = GATE_WAIT.get();
        if (gateWait[0] == INTERNAL_BORROW) {
            return;
        }
        long total = elapsedAcquiredNanos + gateWait[0];
        gateWait[0] = 0L;
        gateWait[1] = metrics.recordWait(total) ? 1L : 0L;
    }

    /**
     * HikariCP reports a timed-out borrow through {@link #recordConnectionAcquiredNanos} too, then calls this on the
     * same thread: its wait was no acquisition's (the zero waits of {@code PoolStats} rely on the count).
     */
    @Override
    public void recordConnectionTimeout() {
        long[] gateWait = GATE_WAIT.get();
        if (gateWait[0] != INTERNAL_BORROW && gateWait[1] == 1L) {
            gateWait[1] = 0L;
            metrics.timedWaitFailed();
        }
    }

    @Override
    public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
        metrics.recordUse(elapsedBorrowedMillis);
    }
}
