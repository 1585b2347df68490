package dev.pooled;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import dev.pooled.internal.PoolMetrics;

/**
 * HikariCP's one observation slot, for the timings HikariCP measures anyway (borrow, use, create), and the
 * thread-local hand-off that lets it report the gate's wait with its own. The gate's permit does not go back here:
 * HikariCP evicts a broken connection without recycling it.
 *
 * <p>Hand-off contract: a caller that waited at the gate stores the wait with {@link #gateWaited(long)} just before
 * it borrows from HikariCP on the same thread; HikariCP then calls {@link #recordConnectionAcquiredNanos} on that
 * thread, which adds and clears it. A borrow that fails clears it with {@link #clear()}. The control thread marks its
 * own borrows (closing idle connections) with {@link #internalBorrow()}, so that they are not counted as
 * acquisitions.
 */
final class HikariTracker implements IMetricsTracker {
    /** Gate wait of the slow-path caller on this thread, or {@link #INTERNAL_BORROW}; only the slow path writes it. */
    private static final ThreadLocal<long[]> GATE_WAIT = ThreadLocal.withInitial(() -> new long[1]);
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
        metrics.recordWait(total);
    }

    /**
     * HikariCP reports a timed-out borrow through {@link #recordConnectionAcquiredNanos} too, then calls this on the
     * same thread: take it back out of the acquisition count (λ, W and the breaker's successes rely on it).
     */
    @Override
    public void recordConnectionTimeout() {
        if (GATE_WAIT.get()[0] != INTERNAL_BORROW) {
            metrics.borrowTimedOut();
        }
    }

    @Override
    public void recordConnectionUsageMillis(long elapsedBorrowedMillis) {
        metrics.recordUse(elapsedBorrowedMillis);
    }
}
