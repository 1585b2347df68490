package dev.pooled;

import dev.pooled.internal.Breaker;
import dev.pooled.internal.Gate;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pool usable while its database cannot be reached, and brings it back without a restart. Two ways in:
 *
 * <ul>
 * <li><b>Down at start</b> ({@link #startDown}): the pool exists from the first request; its breaker is forced open,
 * so callers fail in microseconds ({@link PoolCircuitOpenException}), while a daemon thread
 * ({@code pooled-<service>.<db_role>-reconnect}) tries to connect with back-off (50 ms doubling to 1 s; a rejected
 * caller wakes it early, at most every {@value #WAKE_MILLIS} ms). The first connection builds HikariCP (with the
 * catalog and schema borrowers are reset to), closes the breaker and opens the pool's connections.</li>
 * <li><b>Failover</b> ({@link #serverLost}, from {@link FailoverSignals} at the first fatal error): the gate stops
 * admitting (new requests wait in the queue, within their {@code timeout_ms}), HikariCP closes every idle
 * connection now and each borrowed one as it comes back and opens none, and the thread probes every
 * {@value #FAILOVER_PROBE_MILLIS} ms. The first probe that connects (with a multi-host URL and
 * {@code targetServerType=primary}, the new primary) lets the queue go and opens the connections at once. If no
 * probe connects within {@code timeout_ms}, the failover becomes an outage: the breaker is forced open as above.</li>
 * </ul>
 *
 * <p>Probes open a connection through the pool's own data source (not HikariCP's) and do not count against the
 * breaker. Thread-safe.
 */
final class Reconnector {
    static final int CONNECTED = 0;
    static final int HOLDING = 1;
    static final int DOWN = 2;
    static final long FAILOVER_PROBE_MILLIS = 20;
    static final long MIN_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 1_000;
    static final long WAKE_MILLIS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(Reconnector.class);

    private final String name;
    private final String threadName;
    private final DataSource physical;
    private final Gate gate;
    private final Breaker breaker;
    private final AtomicBoolean closing;
    private volatile HikariBackend backend;
    private volatile long holdNanos;
    private final AtomicInteger state = new AtomicInteger(CONNECTED);
    private volatile boolean userPaused;
    private volatile long lostAtNanos;
    private volatile long lastWakeNanos;
    private volatile Thread thread;
    private volatile SQLException lastFailure;
    private final java.util.concurrent.atomic.AtomicLong failovers = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastRecoveryNanos = -1;

    Reconnector(String name, String threadName, DataSource physical, Gate gate, Breaker breaker,
            AtomicBoolean closing, long holdNanos) {
        this.name = name;
        this.threadName = threadName;
        this.physical = physical;
        this.gate = gate;
        this.breaker = breaker;
        this.closing = closing;
        this.holdNanos = holdNanos;
    }

    void backend(HikariBackend b) {
        this.backend = b;
    }

    private volatile java.util.function.Consumer<Connection> firstConnection = c -> { };

    /** @param hook told of the first connection a probe opens (before it closes): the pool joins its sampler */
    void onFirstConnection(java.util.function.Consumer<Connection> hook) {
        this.firstConnection = hook;
    }

    /** @param nanos how long a failover may hold callers in the queue before it counts as an outage */
    void holdNanos(long nanos) {
        this.holdNanos = nanos;
    }

    /** @return {@link #CONNECTED}, {@link #HOLDING} or {@link #DOWN} */
    int state() {
        return state.get();
    }

    /** @return failovers (and outages) detected since the start */
    long failovers() {
        return failovers.get();
    }

    /** @return nanoseconds from the last failure signal to the probe that connected again; -1 before any */
    long lastRecoveryNanos() {
        return lastRecoveryNanos;
    }

    /**
     * The pool starts without a connection: fail fast until one opens.
     *
     * @param cause the probe's error
     */
    void startDown(SQLException cause) {
        lastFailure = cause;
        lostAtNanos = System.nanoTime();
        state.set(DOWN);
        breaker.forceOpen(cause);
        LOG.warn("pool {}: database not reachable at start ({}); failing callers fast and reconnecting in the"
                + " background", name, cause.toString());
        startThread();
    }

    /**
     * A borrowed connection showed that its server is gone or is no longer the primary. Only the first signal of an
     * incident acts; the rest return at once.
     *
     * @param e the error
     * @param readOnly whether it was a read-only error (the server is up, but a standby now)
     */
    void serverLost(SQLException e, boolean readOnly) {
        if (closing.get() || !state.compareAndSet(CONNECTED, HOLDING)) {
            return;
        }
        lastFailure = e;
        lostAtNanos = System.nanoTime();
        failovers.incrementAndGet();
        gate.pause();
        HikariBackend b = backend;
        if (b != null) {
            b.hold();
        }
        LOG.warn("pool {}: {} ({}, SQLState {}); evicting every connection, holding new requests in the queue"
                + " and reconnecting", name, readOnly ? "the server is read-only now" : "lost the database server",
                e.getMessage(), e.getSQLState());
        startThread();
    }

    /** A caller was turned away while down: probe now rather than at the end of the back-off. Cheap. */
    void wake() {
        Thread t = thread;
        long now = System.nanoTime();
        if (t != null && now - lastWakeNanos > TimeUnit.MILLISECONDS.toNanos(WAKE_MILLIS)) {
            lastWakeNanos = now;
            LockSupport.unpark(t);
        }
    }

    /** @param paused whether the user paused the pool; a reconnect does not resume a pool the user paused */
    void userPaused(boolean paused) {
        userPaused = paused;
        if (!paused && state.get() == CONNECTED) {
            gate.resume();
        } else if (paused) {
            gate.pause();
        }
    }

    void close() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private synchronized void startThread() {
        Thread t = thread;
        if (t != null && t.isAlive()) {
            LockSupport.unpark(t);
            return;
        }
        t = new Thread(this::run, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (!closing.get()) {
            int s = state.get();
            if (s == CONNECTED) {
                // Park until the next incident; serverLost/startDown unpark.
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                continue;
            }
            if (s == HOLDING && System.nanoTime() - lostAtNanos > holdNanos) {
                // Nobody answered within timeout_ms: an outage, not a failover. Queued callers time out at their
                // deadlines; new ones fail fast.
                if (state.compareAndSet(HOLDING, DOWN)) {
                    breaker.forceOpen(lastFailure);
                    LOG.warn("pool {}: no database server answered within timeout_ms; failing callers fast until"
                            + " one does", name);
                }
                continue;
            }
            if (probe()) {
                backoff = MIN_BACKOFF_MILLIS;
                continue;
            }
            long wait = state.get() == HOLDING ? FAILOVER_PROBE_MILLIS : backoff;
            if (state.get() == DOWN) {
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(wait));
        }
    }

    /** @return whether a connection opened and the pool is connected again */
    private boolean probe() {
        String catalog;
        String schema;
        try (Connection c = physical.getConnection()) {
            catalog = c.getCatalog();
            schema = c.getSchema();
            firstConnection.accept(c);
        } catch (SQLException | RuntimeException e) {
            lastFailure = e instanceof SQLException ? (SQLException) e : new SQLException(e);
            return false;
        }
        if (closing.get()) {
            return false;
        }
        HikariBackend b = backend;
        if (!b.started()) {
            b.start(catalog, schema);
        } else {
            b.resume();
        }
        int was = state.getAndSet(CONNECTED);
        lastRecoveryNanos = System.nanoTime() - lostAtNanos;
        if (!userPaused) {
            gate.resume();
        }
        breaker.releaseForced();
        LOG.info("pool {}: connected again {} ms after {}", name, TimeUnit.NANOSECONDS.toMillis(lastRecoveryNanos),
                was == HOLDING ? "the failure signal" : "the outage began");
        return true;
    }
}
