package dev.pooled;

import dev.pooled.internal.Breaker;
import dev.pooled.internal.ControlLoop;
import dev.pooled.internal.Gate;
import dev.pooled.internal.PoolMetrics;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The exceptions a caller gets instead of a connection, with messages that say why in the pool's own numbers. Each
 * method counts the rejection by its reason (meters, stats, listener) and returns the exception for the caller to
 * throw, so that the stack trace is the caller's. Thread-safe.
 */
final class Rejections {
    private final String name;
    private final ConnectionPool pool;
    private final Gate gate;
    private final ControlLoop control;
    private final Breaker breaker;
    private final PoolMetrics metrics;

    Rejections(String name, ConnectionPool pool, Gate gate, ControlLoop control, Breaker breaker,
            PoolMetrics metrics) {
        this.name = name;
        this.pool = pool;
        this.gate = gate;
        this.control = control;
        this.breaker = breaker;
        this.metrics = metrics;
    }

    /**
     * Builds every rejection once, so that the first caller turned away does not pay for class loading and linking
     * (tens of milliseconds): a full queue must reject at once.
     */
    void warmUp() {
        buildQueueFull().fillInStackTrace();
        buildTimedOut(0L).fillInStackTrace();
        buildClosed().fillInStackTrace();
        buildOverloaded().fillInStackTrace();
        buildCircuitOpen().fillInStackTrace();
        buildRateLimited().fillInStackTrace();
    }

    /**
     * @param gateOutcome what {@link Gate#acquire(int, long, long)} returned, not {@link Gate#GRANTED}
     * @param waitedNanos how long the caller waited at the gate
     * @return the exception for it
     */
    SQLException gateRefused(int gateOutcome, long waitedNanos) {
        switch (gateOutcome) {
            case Gate.QUEUE_FULL:
                metrics.reject(RejectReason.QUEUE_FULL);
                return buildQueueFull();
            case Gate.OVERLOADED:
                metrics.reject(RejectReason.OVERLOADED);
                return buildOverloaded();
            case Gate.TIMED_OUT:
                metrics.reject(RejectReason.TIMEOUT);
                return buildTimedOut(waitedNanos);
            case Gate.INTERRUPTED:
                metrics.reject(RejectReason.INTERRUPTED);
                return new PoolAcquireTimeoutException("pool " + name + ": interrupted after waiting "
                        + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms for a connection",
                        ErrorCode.ACQUIRE_INTERRUPTED, null);
            default:
                metrics.reject(RejectReason.CLOSED);
                return buildClosed();
        }
    }

    PoolCircuitOpenException circuitOpen() {
        metrics.reject(RejectReason.CIRCUIT_OPEN);
        return buildCircuitOpen();
    }

    PoolRateLimitedException rateLimited() {
        metrics.reject(RejectReason.RATE_LIMITED);
        return buildRateLimited();
    }

    /**
     * @param e HikariCP's error for a caller interrupted while it waited inside HikariCP with a gate permit
     * @return {@link ErrorCode#ACQUIRE_INTERRUPTED}, as for a caller interrupted in the gate's queue
     */
    SQLException interrupted(SQLException e) {
        if (pool.isClosed()) {
            return physicalFailure(e);
        }
        metrics.reject(RejectReason.INTERRUPTED);
        return new PoolAcquireTimeoutException("pool " + name + ": interrupted while waiting for a physical"
                + " connection", ErrorCode.ACQUIRE_INTERRUPTED, e);
    }

    /** @param e HikariCP's error for a caller that held a gate permit; @return what the caller gets */
    SQLException physicalFailure(SQLException e) {
        if (pool.isClosed()) {
            metrics.reject(RejectReason.CLOSED);
            PoolClosedException closed = buildClosed();
            closed.initCause(e);
            return closed;
        }
        metrics.reject(RejectReason.TIMEOUT);
        return new PoolAcquireTimeoutException("pool " + name + " could not get a physical connection within"
                + " timeout_ms=" + pool.settings().timeoutMillis + " (" + gate.inUse() + " of limit=" + gate.limit()
                + " in use): " + e.getMessage(), ErrorCode.ACQUIRE_TIMEOUT, e);
    }

    private PoolQueueFullException buildQueueFull() {
        return new PoolQueueFullException("pool " + name + " rejected the request: queue full (" + gate.queued()
                + " of max_queue=" + gate.maxQueue() + " waiting, " + gate.inUse() + " of limit=" + gate.limit()
                + " connections in use)");
    }

    private PoolOverloadedException buildOverloaded() {
        ControlLoop.Snapshot s = control.snapshot();
        long perPosition = control.nanosPerPosition();
        return new PoolOverloadedException("pool " + name + " rejected the request at once: its expected wait exceeds"
                + " timeout_ms=" + pool.settings().timeoutMillis + " (" + gate.queued() + " waiting at about "
                + String.format(Locale.ROOT, "%.2f", perPosition / 1e6) + " ms per place: recent hold time "
                + String.format(Locale.ROOT, "%.2f", s.recentHoldNanos() / 1e6) + " ms over limit="
                + gate.limit() + ")");
    }

    private PoolCircuitOpenException buildCircuitOpen() {
        long opened = breaker.openedAtMillis();
        PoolConfig config = pool.settings().config;
        return new PoolCircuitOpenException("pool " + name + " rejected the request at once: circuit breaker "
                + breaker.stateName() + (opened == 0 ? "" : " for " + (System.currentTimeMillis() - opened) + " ms")
                + " after physical acquisitions failed (breaker_failure_rate=" + config.breakerFailureRate()
                + "%); probes go through every breaker_open_ms=" + config.breakerOpen().toMillis(),
                breaker.lastFailure());
    }

    private PoolRateLimitedException buildRateLimited() {
        return new PoolRateLimitedException("pool " + name + " rejected the request at once: more than"
                + " max_acquire_rate=" + pool.settings().config.maxAcquireRate() + " acquisitions per second");
    }

    private PoolAcquireTimeoutException buildTimedOut(long waitedNanos) {
        return new PoolAcquireTimeoutException("pool " + name + " had no connection within timeout_ms="
                + pool.settings().timeoutMillis + " (waited " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms; "
                + gate.inUse() + " of limit=" + gate.limit() + " in use, " + gate.queued() + " of max_queue="
                + gate.maxQueue() + " waiting)", ErrorCode.ACQUIRE_TIMEOUT, null);
    }

    PoolClosedException buildClosed() {
        return new PoolClosedException("pool " + name + " is closed");
    }
}
