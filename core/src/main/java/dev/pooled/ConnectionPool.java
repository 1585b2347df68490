package dev.pooled;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.pooled.internal.Gate;
import dev.pooled.internal.PooledConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * One pool of physical connections for one (service, db_role), with a bounded, priority-ordered gate in front of
 * it. HikariCP holds the physical connections; the gate decides who may take one: at most {@code max_connections}
 * callers hold a connection, at most {@code max_queue} wait, waiters are served by priority then arrival, and none
 * waits longer than {@code timeout_ms}.
 *
 * <p>The connection a caller gets is a thin {@link PooledConnection} around HikariCP's proxy; the gate's permit goes
 * back exactly once, when it is closed (however many times, from whichever thread), even when HikariCP has evicted
 * a broken physical connection underneath. On return, HikariCP rolls back an open transaction and restores
 * auto-commit, isolation, read-only, catalog and schema to the values the pool's first connection had.
 *
 * <p>Thread-safe. {@link #getConnection(int)} takes no lock and allocates nothing of its own while a permit is free.
 *
 * @since 0.1.0
 */
public final class ConnectionPool implements AutoCloseable {

    /** How long {@link #close()} waits for borrowed connections to come back before it aborts them. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final PoolConfig config;
    private final String name;
    private final Gate gate;
    private final HikariDataSource hikari;
    private final HikariPool hikariPool;
    private final long timeoutNanos;
    private final long timeoutMillis;
    private final int defaultPriority;
    private final AtomicBoolean closing = new AtomicBoolean();

    private ConnectionPool(PoolConfig config, DataSource physical, String catalog, String schema) {
        this.config = config;
        this.name = config.service() + "/" + config.dbRole();
        this.timeoutMillis = config.timeout().toMillis();
        this.timeoutNanos = config.timeout().toNanos();
        this.defaultPriority = config.priority();
        this.gate = new Gate(config.maxConnections(), config.maxQueue(), PoolConfig.MAX_PRIORITY + 1);

        HikariConfig hc = new HikariConfig();
        hc.setPoolName("pooled-" + config.service() + "." + config.dbRole());
        hc.setDataSource(physical);
        hc.setMaximumPoolSize(config.maxConnections());
        hc.setMinimumIdle(config.minIdle());
        hc.setMaxLifetime(config.maxLifetime().toMillis());
        hc.setLeakDetectionThreshold(config.leakThreshold().toMillis());
        // The gate enforces timeout_ms; HikariCP's own timeout only bounds calls that bypass the gate (none do).
        long hikariTimeout = Math.max(250L, timeoutMillis);
        hc.setConnectionTimeout(hikariTimeout);
        hc.setValidationTimeout(Math.min(5_000L, hikariTimeout));
        // The probe connection in start() already proved the database answers, with the driver's own error.
        hc.setInitializationFailTimeout(-1);
        if (catalog != null) {
            hc.setCatalog(catalog);
        }
        if (schema != null) {
            hc.setSchema(schema);
        }
        hc.setThreadFactory(new DaemonThreadFactory("pooled-" + config.service() + "." + config.dbRole()));
        this.hikari = new HikariDataSource(hc);
        this.hikariPool = (HikariPool) hikari.getHikariPoolMXBean();
        // Load and run the rejection paths once, so that the first caller turned away does not pay for class
        // loading and linking (measured: ~20 ms): a full queue must reject in microseconds from the start.
        queueFull().fillInStackTrace();
        timedOut(0L).fillInStackTrace();
        closedException().fillInStackTrace();
    }

    /**
     * Starts a pool. Opens one connection first to learn the catalog and schema that borrowers' changes are reset
     * to, and to fail with the driver's own error when the database cannot be reached.
     *
     * @param config the settings
     * @param physical makes physical connections; the pool calls its no-argument {@code getConnection()}
     * @return the running pool
     * @throws PoolStartException if the first connection fails; the driver's error is the cause
     */
    public static ConnectionPool start(PoolConfig config, DataSource physical) throws SQLException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(physical, "physical");
        String catalog;
        String schema;
        try (Connection probe = physical.getConnection()) {
            catalog = probe.getCatalog();
            schema = probe.getSchema();
        } catch (SQLException e) {
            throw new PoolStartException("pool " + config.service() + "/" + config.dbRole()
                    + " could not open its first connection", e);
        }
        return new ConnectionPool(config, physical, catalog, schema);
    }

    /**
     * Borrows a connection at the config's default priority.
     *
     * @return a connection; close it to give it back
     * @throws PoolQueueFullException (08004) if {@code max_queue} callers already wait
     * @throws PoolAcquireTimeoutException (08001) if none came within {@code timeout_ms}, or the thread was
     *         interrupted
     * @throws PoolClosedException (08003) if the pool is closed or closing
     */
    public Connection getConnection() throws SQLException {
        return getConnection(defaultPriority);
    }

    /**
     * Borrows a connection. Callers with a higher priority are served before those with a lower one that wait.
     *
     * @param priority {@value PoolConfig#MIN_PRIORITY} to {@value PoolConfig#MAX_PRIORITY}, higher first
     * @return a connection; close it to give it back
     * @throws PoolQueueFullException (08004) if {@code max_queue} callers already wait
     * @throws PoolAcquireTimeoutException (08001) if none came within {@code timeout_ms}, or the thread was
     *         interrupted
     * @throws PoolClosedException (08003) if the pool is closed or closing
     * @throws IllegalArgumentException if the priority is out of range
     */
    public Connection getConnection(int priority) throws SQLException {
        if (priority < PoolConfig.MIN_PRIORITY || priority > PoolConfig.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be from " + PoolConfig.MIN_PRIORITY + " to "
                    + PoolConfig.MAX_PRIORITY + " but was " + priority);
        }
        long hikariTimeoutMillis = timeoutMillis;
        if (!gate.tryAcquire()) {
            hikariTimeoutMillis = acquireSlow(priority);
        }
        try {
            return new PooledConnection(hikariPool.getConnection(hikariTimeoutMillis), gate);
        } catch (SQLException e) {
            gate.release();
            throw translate(e);
        } catch (RuntimeException | Error e) {
            gate.release();
            throw e;
        }
    }

    /** @return the milliseconds left for HikariCP once the gate granted a permit */
    private long acquireSlow(int priority) throws SQLException {
        long start = System.nanoTime();
        int outcome = gate.acquire(priority, timeoutNanos);
        long waited = System.nanoTime() - start;
        switch (outcome) {
            case Gate.GRANTED:
                return Math.max(0L, TimeUnit.NANOSECONDS.toMillis(timeoutNanos - waited));
            case Gate.QUEUE_FULL:
                throw queueFull();
            case Gate.TIMED_OUT:
                throw timedOut(waited);
            case Gate.INTERRUPTED:
                throw new PoolAcquireTimeoutException("pool " + name + ": interrupted after waiting "
                        + TimeUnit.NANOSECONDS.toMillis(waited) + " ms for a connection",
                        ErrorCode.ACQUIRE_INTERRUPTED, null);
            default:
                throw closedException();
        }
    }

    private PoolQueueFullException queueFull() {
        return new PoolQueueFullException("pool " + name + " rejected the request: queue full (" + gate.queued()
                + " of max_queue=" + gate.maxQueue() + " waiting, " + gate.inUse() + " of limit=" + gate.limit()
                + " connections in use)");
    }

    private PoolAcquireTimeoutException timedOut(long waitedNanos) {
        return new PoolAcquireTimeoutException("pool " + name + " had no connection within timeout_ms="
                + timeoutMillis + " (waited " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms; " + gate.inUse()
                + " of limit=" + gate.limit() + " in use, " + gate.queued() + " of max_queue=" + gate.maxQueue()
                + " waiting)", ErrorCode.ACQUIRE_TIMEOUT, null);
    }

    private SQLException translate(SQLException e) {
        if (closing.get()) {
            PoolClosedException closed = closedException();
            closed.initCause(e);
            return closed;
        }
        return new PoolAcquireTimeoutException("pool " + name + " could not get a physical connection within timeout_ms="
                + timeoutMillis + " (" + gate.inUse() + " of limit=" + gate.limit() + " in use): " + e.getMessage(),
                ErrorCode.ACQUIRE_TIMEOUT, e);
    }

    private PoolClosedException closedException() {
        return new PoolClosedException("pool " + name + " is closed");
    }

    /** @return the settings this pool runs with */
    public PoolConfig config() {
        return config;
    }

    /** @return {@code service/db_role} */
    public String name() {
        return name;
    }

    /** @return connections borrowed now (gate permits held) */
    public int active() {
        return gate.inUse();
    }

    /** @return callers waiting now */
    public int queued() {
        return gate.queued();
    }

    /** @return the most connections callers may hold at once */
    public int limit() {
        return gate.limit();
    }

    /** @return physical connections open now, idle or borrowed */
    public int physicalConnections() {
        return hikariPool.getTotalConnections();
    }

    /** @return idle physical connections now */
    public int idleConnections() {
        return hikariPool.getIdleConnections();
    }

    /** @return whether {@link #close()} has begun */
    public boolean isClosed() {
        return closing.get();
    }

    /** Closes the pool, waiting up to {@link #DEFAULT_DRAIN_TIMEOUT} for borrowed connections. */
    @Override
    public void close() {
        close(DEFAULT_DRAIN_TIMEOUT);
    }

    /**
     * Closes the pool: waiters are woken with {@link PoolClosedException}, new requests are refused, idle
     * connections are closed at once and borrowed ones as they come back. Waits up to {@code drainTimeout} for the
     * borrowed ones, then aborts those still out. Only the first call does anything.
     *
     * @param drainTimeout the longest wait for borrowed connections; {@link Duration#ZERO} aborts them at once
     */
    public void close(Duration drainTimeout) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        gate.close();
        hikari.getHikariConfigMXBean().setMinimumIdle(0);
        hikariPool.softEvictConnections();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        // Polled, not signalled: close is rare and a signal would cost every release a volatile read.
        while (hikariPool.getActiveConnections() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        hikari.close();
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", limit=" + gate.limit() + ", inUse=" + gate.inUse() + ", queued="
                + gate.queued() + (closing.get() ? ", closed" : "") + "]";
    }

    private static final class DaemonThreadFactory implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        DaemonThreadFactory(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-hikari-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
