package dev.pooled;

import dev.pooled.internal.Breaker;
import dev.pooled.internal.ControlLoop;
import dev.pooled.internal.Gate;
import dev.pooled.internal.LeaseGuard;
import dev.pooled.internal.Leases;
import dev.pooled.internal.PoolMetrics;
import dev.pooled.internal.PooledConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.management.ObjectName;
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
 * <p>Observed through Micrometer meters, an optional OpenTelemetry span per acquisition, a {@link PoolListener},
 * {@link #stats()} and a JMX MBean ({@link PoolMXBean}); see {@code docs/metrics.md}. With
 * {@code leak_threshold_ms}, {@code leak_reclaim_ms} or {@code track_transactions} set, callers get a lease wrapper
 * around HikariCP's proxy that detects and reclaims leaks and times transactions.
 *
 * <p>Control loops run on one daemon thread per pool, off the acquire path (see {@link ControlLoop} and
 * {@code docs/design.md}): Little's-law sizing resizes HikariCP and the gate at runtime ({@code sizing}), a gradient
 * throttle lowers the limit when hold times rise and rejects callers whose expected wait exceeds their timeout
 * ({@code throttling}), a resilience4j circuit breaker fails callers fast after physical acquisitions keep failing
 * ({@code breaker_failure_rate}), and a shared budget caps the size ({@code budget}). An optional rate limiter
 * ({@code max_acquire_rate}) sits in front of the gate.
 *
 * <p>Thread-safe. {@link #getConnection(int)} takes no lock and allocates only its per-borrow wrapper while a permit
 * is free, the breaker is closed, and no lease, tracing or rate limit is configured: the breaker costs one volatile
 * read and the control loops nothing. The borrow itself is in {@link AcquirePath}; {@code docs/design.md} maps the
 * classes behind this one.
 *
 * @since 0.1.0
 */
public final class ConnectionPool implements AutoCloseable {

    /** How long {@link #close()} waits for borrowed connections to come back before it aborts them. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final AcquirePath path;
    private final Gate gate;
    private final HikariBackend backend;
    private final Breaker breaker;
    private final Leases leases;
    /** {@code null} without a tracer. */
    private final AcquireTracing tracing;
    private final PoolMetrics metrics;
    private final ControlLoop control;
    private final ConnectionBudget.Claim claim;
    private final ObjectName mbeanName;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Serializes {@link #reconfigure} calls; the acquire path never takes it. */
    private final ReentrantLock reconfiguring = new ReentrantLock();

    private ConnectionPool(PoolConfig config, DataSource physical, String catalog, String schema,
            Instrumentation instrumentation, ConnectionBudget.Claim claim) {
        this.name = PoolNames.claim(config.service() + "/" + config.dbRole());
        this.claim = claim;
        PoolSettings settings = new PoolSettings(config, 0L, PoolSettings.rateLimiter(name, config));
        int initial = config.maxConnections();
        if (claim != null) {
            initial = Math.min(initial, claim.update(initial, 0));
        }
        this.gate = new Gate(initial, config.maxQueue(), PoolConfig.MAX_PRIORITY + 1);
        this.breaker = config.breakerFailureRate() == 0 ? Breaker.DISABLED
                : new Breaker(name, config.breakerFailureRate(), config.breakerOpen(), Clock.systemUTC());
        PhysicalFailures failures = new PhysicalFailures(breaker, closing);
        this.metrics = new PoolMetrics(name, config.service(), config.dbRole(), new PoolGauges(this), instrumentation);
        this.leases = config.needsLease() ? new LeaseGuard(name, config.service(), config.dbRole(),
                config.leakThreshold(), config.leakReclaim(), config.trackTransactions(), instrumentation.tracer(),
                metrics) : Leases.NONE;
        this.backend = new HikariBackend(config, failures.counting(physical), catalog, schema, metrics, initial,
                closing);
        this.control = new ControlLoop(name, new PoolPlant(name, gate, backend, metrics),
                config.sizing() == SizingMode.LITTLES_LAW, config.minIdle(), config.maxConnections(),
                config.throttling() == ThrottleMode.GRADIENT, claim, breaker, initial, System.nanoTime());
        Rejections rejections = new Rejections(name, this, gate, control, breaker, metrics);
        this.path = new AcquirePath(settings, gate, backend, breaker, failures, rejections, leases, control,
                metrics);
        this.tracing = instrumentation.tracer() == null ? null
                : new AcquireTracing(instrumentation.tracer(), this, path, gate, name);
        this.mbeanName = instrumentation.jmx() ? PoolJmx.register(this, config) : null;
        rejections.warmUp();
        control.start(HikariBackend.threadPrefix(config) + "-control");
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
        return start(config, physical, Instrumentation.defaults());
    }

    /**
     * Starts a pool with its own meter registry, listener, tracer or JMX choice.
     *
     * @param config the settings
     * @param physical makes physical connections
     * @param instrumentation how the pool is observed
     * @return the running pool
     * @throws PoolStartException if the first connection fails; the driver's error is the cause
     */
    public static ConnectionPool start(PoolConfig config, DataSource physical, Instrumentation instrumentation)
            throws SQLException {
        return start(config, physical, instrumentation, BudgetSource.local());
    }

    /**
     * Starts a pool whose {@code budget}, if it names one, comes from the given source (for example a fleet-wide
     * budget on etcd) instead of {@link BudgetSource#local()}.
     *
     * @param config the settings
     * @param physical makes physical connections
     * @param instrumentation how the pool is observed
     * @param budgets where the budget named by {@code budget} is found
     * @return the running pool
     * @throws PoolStartException if the first connection fails; the driver's error is the cause
     * @throws PoolBudgetConflictException (HY024) if the budget runs with another {@code budget_max}
     */
    public static ConnectionPool start(PoolConfig config, DataSource physical, Instrumentation instrumentation,
            BudgetSource budgets) throws SQLException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(instrumentation, "instrumentation");
        Objects.requireNonNull(physical, "physical");
        Objects.requireNonNull(budgets, "budgets");
        String catalog;
        String schema;
        try (Connection probe = physical.getConnection()) {
            catalog = probe.getCatalog();
            schema = probe.getSchema();
        } catch (SQLException e) {
            throw new PoolStartException("pool " + config.service() + "/" + config.dbRole()
                    + " could not open its first connection", e);
        }
        // Looked up right before it is claimed, after the probe's I/O: a budget handed out and not yet claimed
        // while another pool asks for it with another size must not be replaced under the first one.
        ConnectionBudget budget = config.budget() == null ? null : budgets.budget(config.budget(), config.budgetMax());
        ConnectionBudget.Claim claim = budget == null ? null
                : budget.claim(config.service() + "/" + config.dbRole(), config.priority());
        try {
            return new ConnectionPool(config, physical, catalog, schema, instrumentation, claim);
        } catch (RuntimeException | Error e) {
            if (claim != null) {
                claim.close();
            }
            throw e;
        }
    }

    /**
     * Borrows a connection at the config's default priority.
     *
     * @return a connection; close it to give it back
     * @throws PoolQueueFullException (08004) if {@code max_queue} callers already wait
     * @throws PoolOverloadedException (08004) if the caller would queue and its expected wait exceeds
     *         {@code timeout_ms} ({@code throttling=gradient})
     * @throws PoolCircuitOpenException (08004) if the circuit breaker is open
     * @throws PoolRateLimitedException (08004) if {@code max_acquire_rate} is exceeded
     * @throws PoolAcquireTimeoutException (08001) if none came within {@code timeout_ms}, or the thread was
     *         interrupted
     * @throws PoolClosedException (08003) if the pool is closed or closing
     */
    public Connection getConnection() throws SQLException {
        return getConnection(path.settings().defaultPriority);
    }

    /**
     * Borrows a connection. Callers with a higher priority are served before those with a lower one that wait.
     *
     * @param priority {@value PoolConfig#MIN_PRIORITY} to {@value PoolConfig#MAX_PRIORITY}, higher first
     * @return a connection; close it to give it back
     * @throws PoolQueueFullException (08004) if {@code max_queue} callers already wait
     * @throws PoolOverloadedException (08004) if the caller would queue and its expected wait exceeds
     *         {@code timeout_ms} ({@code throttling=gradient})
     * @throws PoolCircuitOpenException (08004) if the circuit breaker is open
     * @throws PoolRateLimitedException (08004) if {@code max_acquire_rate} is exceeded
     * @throws PoolAcquireTimeoutException (08001) if none came within {@code timeout_ms}, or the thread was
     *         interrupted
     * @throws PoolClosedException (08003) if the pool is closed or closing
     * @throws PoolInvalidPriorityException (22023) if the priority is out of range
     */
    public Connection getConnection(int priority) throws SQLException {
        if (priority < PoolConfig.MIN_PRIORITY || priority > PoolConfig.MAX_PRIORITY) {
            throw new PoolInvalidPriorityException(priority);
        }
        return tracing == null ? path.acquire(priority) : tracing.traced(priority);
    }

    /**
     * Applies a whole new config to the running pool, or none of it. Settings that a running pool takes live:
     * {@code max_connections}, {@code max_queue}, {@code timeout_ms}, {@code priority} (not under a {@code budget}),
     * {@code min_idle}, {@code max_lifetime_ms}, {@code max_acquire_rate}; every other setting must be unchanged.
     * {@code timeout_ms}, {@code priority}, {@code max_queue} and {@code max_acquire_rate} hold for the next borrow
     * (callers already waiting keep their deadline and place); {@code max_lifetime_ms} for connections opened from
     * now on. The size bounds are applied by the control thread within one epoch (100 ms): growing opens
     * connections, shrinking lowers the limit at once and waits for borrowed connections to come back (their
     * permits pay off the debt) while idle ones above the size are closed. Thread-safe; concurrent calls are applied
     * one after the other.
     *
     * @param next the config to run with; its {@code service}, {@code db_role} and other fixed settings must equal
     *        the running ones
     * @param version what the config's source calls this version (for example an etcd mod revision), shown as
     *        {@link PoolStats#configVersion()}; 0 for a config from a URL or builder
     * @throws PoolConfigException (HY024) naming every setting that cannot change while the pool runs, with both
     *         values; nothing was applied
     * @throws IllegalStateException if the pool is closed
     */
    public void reconfigure(PoolConfig next, long version) throws PoolConfigException {
        Objects.requireNonNull(next, "next");
        reconfiguring.lock();
        try {
            if (closing.get()) {
                throw new IllegalStateException("pool " + name + " is closed; it takes no new config");
            }
            PoolSettings current = path.settings();
            List<PoolConfigException.Violation> refused = LiveChange.refused(current.config, next);
            if (!refused.isEmpty()) {
                throw new PoolConfigException(refused);
            }
            PoolSettings updated = current.next(name, next, version);
            backend.reconfigure(next);
            gate.setMaxQueue(next.maxQueue());
            path.settings(updated);
            control.bounds(next.minIdle(), next.maxConnections());
        } finally {
            reconfiguring.unlock();
        }
    }

    /** @return the settings this pool runs with now (the last config {@link #reconfigure} applied) */
    public PoolConfig config() {
        return path.settings().config;
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
        return backend.totalNow();
    }

    /** @return idle physical connections now */
    public int idleConnections() {
        return backend.idleNow();
    }

    /** @return whether {@link #close()} has begun */
    public boolean isClosed() {
        return closing.get();
    }

    /** @return a snapshot of this pool's figures */
    public PoolStats stats() {
        return PoolStatsAssembly.of(this);
    }

    /** Admits nobody until {@link #resume()}: callers queue and time out; connections held are unaffected. */
    public void pause() {
        gate.pause();
    }

    /** Admits callers again, waiters first. */
    public void resume() {
        gate.resume();
    }

    /** Closes idle connections now and borrowed ones when they come back; HikariCP opens fresh ones. */
    public void softEvictIdle() {
        backend.softEvict();
    }

    /**
     * Closes a connection borrowed from this pool without letting its physical connection be reused: HikariCP
     * retires it (and opens a fresh one when the size calls for it), and the gate gets its permit back, as with
     * {@link Connection#close()}. For a borrower that left session state it cannot undo (transaction mode after
     * {@code LISTEN}, an unwrapped driver connection, a reset that failed). Closing it normally afterwards is
     * harmless.
     *
     * @param borrowed a connection this pool handed out and that is still open
     * @throws SQLException if the connection is not one of this pool's
     */
    public void evict(Connection borrowed) throws SQLException {
        PooledConnection pc = borrowed.isWrapperFor(PooledConnection.class)
                ? borrowed.unwrap(PooledConnection.class) : null;
        if (pc == null || !pc.heldAt(gate)) {
            throw new SQLException("pool " + name + " cannot evict " + borrowed.getClass().getName()
                    + ": not a connection it handed out", "HY000");
        }
        if (!pc.isClosed()) {
            backend.evict(pc.inner());
        }
        borrowed.close();
    }

    /** @return the JMX name this pool is registered under, or {@code null} when JMX is off */
    public ObjectName mbeanName() {
        return mbeanName;
    }

    /** Runs one leak check now, instead of waiting for the background check. For tests and admin tools. */
    public void checkLeases() {
        if (leases instanceof LeaseGuard) {
            ((LeaseGuard) leases).check();
        }
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
        leases.close();
        control.stop();
        backend.drainAndClose(drainTimeout);
        if (claim != null) {
            claim.close();
        }
        metrics.close();
        PoolJmx.unregister(name, mbeanName);
        PoolNames.release(name);
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", limit=" + gate.limit() + ", inUse=" + gate.inUse() + ", queued="
                + gate.queued() + (closing.get() ? ", closed" : "") + "]";
    }

    // The engine's parts, for the package-private classes that observe the pool (gauges, stats, JMX, messages).

    PoolSettings settings() {
        return path.settings();
    }

    Gate gate() {
        return gate;
    }

    HikariBackend backend() {
        return backend;
    }

    PoolMetrics metrics() {
        return metrics;
    }

    ControlLoop control() {
        return control;
    }

    Breaker breaker() {
        return breaker;
    }

    ConnectionBudget.Claim claim() {
        return claim;
    }

    /** @return whether {@link #pause()} is in force (a closed pool is not "paused") */
    boolean paused() {
        return gate.isPaused() && !gate.isClosed();
    }
}
