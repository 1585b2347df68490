package dev.pooled;

import dev.pooled.internal.Breaker;
import dev.pooled.internal.ControlLoop;
import dev.pooled.internal.Gate;
import dev.pooled.internal.Leases;
import dev.pooled.internal.PoolMetrics;
import dev.pooled.internal.PooledConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * One borrow, start to end: the breaker, the rate limit, the gate, HikariCP, the per-borrow wrapper. The return is
 * {@link PooledConnection#close()}: HikariCP's proxy first, then the gate's permit, exactly once.
 *
 * <p>Fast path (breaker closed, a permit free, no rate limit, no lease): one volatile read of {@link #settings} (a
 * plain load on x86), one of the breaker's state, one CAS on the gate, HikariCP's borrow, one increment of the
 * acquisition count, one small allocation. It reads no clock of its own and takes no lock; only a caller that queued
 * at the gate is timed here. Every other case leaves the fast path by a branch the JIT lays out of line.
 * Thread-safe.
 */
final class AcquirePath {
    private final Gate gate;
    private final HikariBackend backend;
    private final Breaker breaker;
    private final PhysicalFailures failures;
    private final Rejections rejections;
    private final Leases leases;
    private final ControlLoop control;
    private final PoolMetrics metrics;
    /** What a borrow reads from the config; replaced whole by {@link ConnectionPool#reconfigure}. */
    private volatile PoolSettings settings;

    AcquirePath(PoolSettings settings, Gate gate, HikariBackend backend, Breaker breaker, PhysicalFailures failures,
            Rejections rejections, Leases leases, ControlLoop control, PoolMetrics metrics) {
        this.settings = settings;
        this.gate = gate;
        this.backend = backend;
        this.breaker = breaker;
        this.failures = failures;
        this.rejections = rejections;
        this.leases = leases;
        this.control = control;
        this.metrics = metrics;
    }

    PoolSettings settings() {
        return settings;
    }

    void settings(PoolSettings next) {
        settings = next;
    }

    /**
     * @param priority in range (the caller checked)
     * @return what the caller gets: the wrapper, in a lease when one is configured
     */
    Connection acquire(int priority) throws SQLException {
        PoolSettings s = settings;
        if (breaker.state() != Breaker.CLOSED) {
            return leases.wrap(acquireGuarded(s, priority));
        }
        if (!s.rateLimiter.tryAcquire()) {
            throw rejections.rateLimited();
        }
        if (gate.tryAcquire()) {
            return leases.wrap(borrow(s.timeoutMillis, false, 0L, false, 0L));
        }
        return leases.wrap(queued(s, priority, false, 0L));
    }

    /** Open or half-open breaker: only permitted probes go on, and they report their own outcome. */
    private Connection acquireGuarded(PoolSettings s, int priority) throws SQLException {
        if (!breaker.tryAcquirePermission()) {
            throw rejections.circuitOpen();
        }
        long start = System.nanoTime();
        if (!s.rateLimiter.tryAcquire()) {
            breaker.releasePermission();
            throw rejections.rateLimited();
        }
        if (gate.tryAcquire()) {
            return borrow(s.timeoutMillis, true, start, false, 0L);
        }
        return queued(s, priority, true, start);
    }

    /**
     * No permit was free: a place in the queue. The only part of a borrow that reads the clock: it times its own
     * wait, from here to the connection, and gives HikariCP only the time left.
     */
    private Connection queued(PoolSettings s, int priority, boolean probe, long probeStart) throws SQLException {
        long start = System.nanoTime();
        int outcome = gate.acquire(priority, s.timeoutNanos, control.nanosPerPosition());
        if (outcome != Gate.GRANTED) {
            if (probe) {
                breaker.releasePermission();
            }
            throw rejections.gateRefused(outcome, System.nanoTime() - start);
        }
        long left = Math.max(0L, TimeUnit.NANOSECONDS.toMillis(s.timeoutNanos - (System.nanoTime() - start)));
        HikariTracker.selfTimed();
        try {
            return borrow(left, probe, probeStart, true, start);
        } finally {
            HikariTracker.clear();
        }
    }

    /**
     * With a gate permit held: the physical connection from HikariCP, in the wrapper that returns the permit.
     *
     * @param queued whether the caller queued at the gate (it is then timed from {@code waitStart})
     */
    private Connection borrow(long hikariTimeoutMillis, boolean probe, long probeStart, boolean queued,
            long waitStart) throws SQLException {
        Connection physical;
        try {
            physical = backend.borrow(hikariTimeoutMillis);
        } catch (SQLException e) {
            gate.release();
            if (e.getCause() instanceof InterruptedException) {
                // The caller was interrupted while HikariCP waited for it (HikariCP sets the flag again): not the
                // database's failure, and not a timeout.
                if (probe) {
                    breaker.releasePermission();
                }
                throw rejections.interrupted(e);
            }
            failures.borrowFailed(e, hikariTimeoutMillis, probe, probeStart, backend.idleNow());
            throw rejections.physicalFailure(e);
        } catch (RuntimeException | Error e) {
            gate.release();
            if (probe) {
                breaker.releasePermission();
            }
            throw e;
        }
        if (probe) {
            breaker.probeSucceeded(System.nanoTime() - probeStart);
        }
        if (queued) {
            metrics.acquiredAfter(System.nanoTime() - waitStart);
        } else {
            metrics.acquiredAtOnce();
        }
        return new PooledConnection(physical, gate);
    }
}
