package dev.pooled;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.pool.HikariPool;
import dev.pooled.internal.AcquireRateLimiter;
import dev.pooled.internal.Breaker;
import dev.pooled.internal.ControlLoop;
import dev.pooled.internal.Gate;
import dev.pooled.internal.LeaseGuard;
import dev.pooled.internal.Leases;
import dev.pooled.internal.PoolMetrics;
import dev.pooled.internal.PooledConnection;
import dev.pooled.metrics.MetricNames;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * read and the control loops nothing.
 *
 * @since 0.1.0
 */
public final class ConnectionPool implements AutoCloseable {

    /** How long {@link #close()} waits for borrowed connections to come back before it aborts them. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
    /** Names of running pools, so that meter tags and MBean names stay unique in the process. */
    private static final ConcurrentHashMap<String, Boolean> LIVE_NAMES = new ConcurrentHashMap<>();
    /**
     * Time a slow-path caller spent at the gate, handed to the tracker that HikariCP calls on the same thread once
     * it has a connection, so that wait time covers both. Only the slow path writes it.
     */
    private static final ThreadLocal<long[]> GATE_WAIT = ThreadLocal.withInitial(() -> new long[1]);
    /** In {@link #GATE_WAIT}: the control thread is borrowing a connection to close it; not an acquisition. */
    private static final long INTERNAL_BORROW = Long.MIN_VALUE;
    /**
     * A physical acquisition that timed out after less than this was starved by the wait at the gate, not by the
     * database, and does not count against the breaker (one that failed with a cause always counts).
     */
    private static final long MIN_BREAKER_WAIT_MS = 10L;
    /** {@link System#nanoTime()} when a physical connection was last opened; written only when one opens. */
    private volatile long lastOpenedNanos = System.nanoTime();

    private final PoolConfig config;
    private final String name;
    private final Gate gate;
    private final HikariDataSource hikari;
    private final HikariPool hikariPool;
    private final long timeoutNanos;
    private final long timeoutMillis;
    private final int defaultPriority;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final PoolMetrics metrics;
    private final Leases leases;
    private final Tracer tracer;
    private final ObjectName mbeanName;
    private final Breaker breaker;
    private final AcquireRateLimiter rateLimiter;
    private final ConnectionBudget.Claim claim;
    private final boolean autosize;
    /** The size HikariCP may grow to now; written by the control thread (and the constructor) only. */
    private volatile int appliedSize;
    private final ControlLoop control;

    private ConnectionPool(PoolConfig config, DataSource physical, String catalog, String schema,
            Instrumentation instrumentation, ConnectionBudget.Claim claim) {
        this.config = config;
        this.name = claimName(config.service() + "/" + config.dbRole());
        this.timeoutMillis = config.timeout().toMillis();
        this.timeoutNanos = config.timeout().toNanos();
        this.defaultPriority = config.priority();
        this.autosize = config.sizing() == SizingMode.LITTLES_LAW;
        this.claim = claim;
        int initial = config.maxConnections();
        if (claim != null) {
            initial = Math.min(initial, claim.update(initial, 0));
        }
        this.gate = new Gate(initial, config.maxQueue(), PoolConfig.MAX_PRIORITY + 1);

        // HikariCP names its threads after the pool; ours use the same prefix: pooled-<service>.<db_role>-<role>.
        String threadPrefix = "pooled-" + config.service() + "." + config.dbRole();
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(threadPrefix);
        hc.setDataSource(new CountingDataSource(physical));
        // max_connections here fixes the capacity of HikariCP's connection-adder queue; the size the pool starts
        // with is applied right after HikariCP starts, before its first fill (100 ms later).
        hc.setMaximumPoolSize(config.maxConnections());
        hc.setMinimumIdle(hikariMinIdle(initial));
        hc.setMaxLifetime(config.maxLifetime().toMillis());
        // Leak detection is ours (LeaseGuard): HikariCP's can neither count leaks nor reclaim them.
        hc.setLeakDetectionThreshold(0);
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
        hc.setThreadFactory(new DaemonThreadFactory(threadPrefix));
        this.metrics = new PoolMetrics(name, config.service(), config.dbRole(), new MetricsSource(),
                instrumentation);
        this.tracer = instrumentation.tracer();
        this.leases = config.needsLease() ? new LeaseGuard(name, config.service(), config.dbRole(),
                config.leakThreshold(), config.leakReclaim(), config.trackTransactions(), tracer, metrics)
                : Leases.NONE;
        hc.setMetricsTrackerFactory((poolName, stats) -> new Tracker(metrics));
        this.breaker = config.breakerFailureRate() == 0 ? Breaker.DISABLED
                : new Breaker(name, config.breakerFailureRate(), config.breakerOpen(), Clock.systemUTC());
        this.rateLimiter = config.maxAcquireRate() == 0 ? AcquireRateLimiter.NONE
                : AcquireRateLimiter.perSecond(name, config.maxAcquireRate());
        this.hikari = new HikariDataSource(hc);
        this.hikariPool = (HikariPool) hikari.getHikariPoolMXBean();
        applySize(initial);
        this.control = new ControlLoop(name, new Plant(), autosize, config.minIdle(), config.maxConnections(),
                config.throttling() == ThrottleMode.GRADIENT, claim, breaker, initial, System.nanoTime());
        this.mbeanName = instrumentation.jmx() ? registerMBean() : null;
        // Load and run the rejection paths once, so that the first caller turned away does not pay for class
        // loading and linking (PostgresDriverIT saw 19-35 ms without this): a full queue must reject at once.
        queueFull().fillInStackTrace();
        timedOut(0L).fillInStackTrace();
        closedException().fillInStackTrace();
        overloaded().fillInStackTrace();
        circuitOpen().fillInStackTrace();
        rateLimited().fillInStackTrace();
        control.start(threadPrefix + "-control");
    }

    /** HikariCP's minimumIdle for a size: the size itself when autosizing (HikariCP 7.1 may not grow otherwise). */
    private int hikariMinIdle(int size) {
        return autosize ? size : Math.min(config.minIdle(), size);
    }

    /**
     * Resizes HikariCP: {@code maximumPoolSize} and {@code minimumIdle} move together (perf-anchors §1.6: with
     * {@code minimumIdle < maximumPoolSize} HikariCP 7.1 sometimes stops growing short of its maximum), and missing
     * connections are requested at once rather than at HikariCP's next housekeeping run (30 s). Shrinking closes
     * idle connections through the control loop ({@code evictIdle}). Size 0 (a budget granting nothing) keeps
     * HikariCP at its minimum of one without filling it; the gate then admits nobody.
     */
    private void applySize(int size) {
        HikariConfigMXBean mx = hikari.getHikariConfigMXBean();
        int max = Math.max(1, size);
        int minIdle = hikariMinIdle(size);
        if (max >= mx.getMaximumPoolSize()) {
            mx.setMaximumPoolSize(max);
            mx.setMinimumIdle(minIdle);
        } else {
            mx.setMinimumIdle(minIdle);
            mx.setMaximumPoolSize(max);
        }
        appliedSize = size;
        int missing = Math.min(max - hikariPool.getTotalConnections(), minIdle - hikariPool.getIdleConnections());
        for (int i = 1; i <= missing; i++) {
            // Queues one connection-adder task per missing connection (each adds one while still needed).
            hikariPool.addBagItem(i);
        }
    }

    /** Closes up to {@code count} idle physical connections; only the control thread calls this. */
    private int evictIdle(int count) {
        long[] gateWait = GATE_WAIT.get();
        int closed = 0;
        while (closed < count && !closing.get() && hikariPool.getIdleConnections() > 0) {
            Connection c;
            gateWait[0] = INTERNAL_BORROW;
            try {
                c = hikariPool.getConnection(0L);
            } catch (SQLException e) {
                break; // taken by a caller meanwhile
            } finally {
                gateWait[0] = 0L;
            }
            hikariPool.evictConnection(c);
            closed++;
        }
        return closed;
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
        ConnectionBudget budget = config.budget() == null ? null : budgets.budget(config.budget(), config.budgetMax());
        String catalog;
        String schema;
        try (Connection probe = physical.getConnection()) {
            catalog = probe.getCatalog();
            schema = probe.getSchema();
        } catch (SQLException e) {
            throw new PoolStartException("pool " + config.service() + "/" + config.dbRole()
                    + " could not open its first connection", e);
        }
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
        return getConnection(defaultPriority);
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
     * @throws IllegalArgumentException if the priority is out of range
     */
    public Connection getConnection(int priority) throws SQLException {
        if (priority < PoolConfig.MIN_PRIORITY || priority > PoolConfig.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be from " + PoolConfig.MIN_PRIORITY + " to "
                    + PoolConfig.MAX_PRIORITY + " but was " + priority);
        }
        if (tracer != null) {
            return tracedGetConnection(priority);
        }
        return leases.wrap(acquire(priority));
    }

    private Connection acquire(int priority) throws SQLException {
        if (breaker.state != Breaker.CLOSED) {
            return acquireGuarded(priority);
        }
        return borrow(admit(priority), false, 0L);
    }

    /** Open or half-open breaker: only permitted probes go on, and they report their own outcome. */
    private Connection acquireGuarded(int priority) throws SQLException {
        if (!breaker.tryAcquirePermission()) {
            metrics.reject(RejectReason.CIRCUIT_OPEN);
            throw circuitOpen();
        }
        long start = System.nanoTime();
        long hikariTimeoutMillis;
        try {
            hikariTimeoutMillis = admit(priority);
        } catch (SQLException | RuntimeException | Error e) {
            breaker.releasePermission();
            throw e;
        }
        return borrow(hikariTimeoutMillis, true, start);
    }

    /**
     * The rate limit, then the gate.
     *
     * @return the milliseconds left for HikariCP
     */
    private long admit(int priority) throws SQLException {
        if (!rateLimiter.tryAcquire()) {
            metrics.reject(RejectReason.RATE_LIMITED);
            throw rateLimited();
        }
        if (gate.tryAcquire()) {
            return timeoutMillis;
        }
        return acquireSlow(priority);
    }

    /** With a gate permit held: the physical connection from HikariCP. */
    private Connection borrow(long hikariTimeoutMillis, boolean probe, long probeStart) throws SQLException {
        Connection physical;
        try {
            physical = hikariPool.getConnection(hikariTimeoutMillis);
        } catch (SQLException e) {
            GATE_WAIT.get()[0] = 0L;
            gate.release();
            throw physicalFailure(e, hikariTimeoutMillis, probe, probeStart);
        } catch (RuntimeException | Error e) {
            GATE_WAIT.get()[0] = 0L;
            gate.release();
            if (probe) {
                breaker.releasePermission();
            }
            throw e;
        }
        if (probe) {
            breaker.probeSucceeded(System.nanoTime() - probeStart);
        }
        return new PooledConnection(physical, gate);
    }

    private SQLException physicalFailure(SQLException e, long hikariTimeoutMillis, boolean probe, long probeStart) {
        SQLException out = translate(e);
        boolean counts = !closing.get() && (e.getCause() != null || timeoutCounts(hikariTimeoutMillis));
        if (probe) {
            if (counts) {
                breaker.probeFailed(System.nanoTime() - probeStart, e);
            } else {
                breaker.releasePermission();
            }
        } else if (counts) {
            breaker.failed(e);
        }
        return out;
    }

    /**
     * Whether HikariCP timing out without a cause is the database's fault. Not when the wait was too short to tell
     * (the gate used up the caller's time), and not when the database opened a connection during the wait: then the
     * pool was filling (a cold start, a step up in size on a machine where connecting takes longer than
     * {@code timeout_ms}), which is a shortage the gate and the sizing answer, not an outage. A database that stops
     * accepting connections fails their creation (counted as it happens) or hangs it (no connection opens: counted
     * here). The wait's start is derived from the timeout rather than read from the clock on every borrow.
     */
    private boolean timeoutCounts(long hikariTimeoutMillis) {
        if (hikariTimeoutMillis < MIN_BREAKER_WAIT_MS) {
            return false;
        }
        long waitStart = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(hikariTimeoutMillis);
        return lastOpenedNanos - waitStart < 0;
    }

    private Connection tracedGetConnection(int priority) throws SQLException {
        Span span = tracer.spanBuilder(MetricNames.SPAN_ACQUIRE).setAttribute(MetricNames.ATTR_POOL_NAME, name)
                .setAttribute(MetricNames.ATTR_SERVICE, config.service())
                .setAttribute(MetricNames.ATTR_DB_ROLE, config.dbRole())
                .setAttribute(MetricNames.ATTR_QUEUE_POSITION, (long) gate.queued()).startSpan();
        long start = System.nanoTime();
        try (Scope scope = span.makeCurrent()) {
            Connection c = leases.wrap(acquire(priority));
            span.setAttribute(MetricNames.ATTR_OUTCOME, "acquired");
            return c;
        } catch (SQLException e) {
            span.setAttribute(MetricNames.ATTR_OUTCOME, outcome(e));
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw e;
        } finally {
            span.setAttribute(MetricNames.ATTR_WAIT_MS, (System.nanoTime() - start) / 1e6);
            span.end();
        }
    }

    private static String outcome(SQLException e) {
        if (!(e instanceof PooledJdbcException)) {
            return RejectReason.TIMEOUT.tag();
        }
        switch (((PooledJdbcException) e).errorCode()) {
            case QUEUE_FULL:
                return RejectReason.QUEUE_FULL.tag();
            case POOL_CLOSED:
                return RejectReason.CLOSED.tag();
            case ACQUIRE_INTERRUPTED:
                return RejectReason.INTERRUPTED.tag();
            case OVERLOADED:
                return RejectReason.OVERLOADED.tag();
            case CIRCUIT_OPEN:
                return RejectReason.CIRCUIT_OPEN.tag();
            case RATE_LIMITED:
                return RejectReason.RATE_LIMITED.tag();
            default:
                return RejectReason.TIMEOUT.tag();
        }
    }

    /** @return the milliseconds left for HikariCP once the gate granted a permit */
    private long acquireSlow(int priority) throws SQLException {
        long start = System.nanoTime();
        int outcome = gate.acquire(priority, timeoutNanos, control.nanosPerPosition());
        long waited = System.nanoTime() - start;
        switch (outcome) {
            case Gate.GRANTED:
                GATE_WAIT.get()[0] = waited;
                return Math.max(0L, TimeUnit.NANOSECONDS.toMillis(timeoutNanos - waited));
            case Gate.QUEUE_FULL:
                metrics.reject(RejectReason.QUEUE_FULL);
                throw queueFull();
            case Gate.OVERLOADED:
                metrics.reject(RejectReason.OVERLOADED);
                throw overloaded();
            case Gate.TIMED_OUT:
                metrics.reject(RejectReason.TIMEOUT);
                throw timedOut(waited);
            case Gate.INTERRUPTED:
                metrics.reject(RejectReason.INTERRUPTED);
                throw new PoolAcquireTimeoutException("pool " + name + ": interrupted after waiting "
                        + TimeUnit.NANOSECONDS.toMillis(waited) + " ms for a connection",
                        ErrorCode.ACQUIRE_INTERRUPTED, null);
            default:
                metrics.reject(RejectReason.CLOSED);
                throw closedException();
        }
    }

    private PoolQueueFullException queueFull() {
        return new PoolQueueFullException("pool " + name + " rejected the request: queue full (" + gate.queued()
                + " of max_queue=" + gate.maxQueue() + " waiting, " + gate.inUse() + " of limit=" + gate.limit()
                + " connections in use)");
    }

    private PoolOverloadedException overloaded() {
        ControlLoop.Snapshot s = control.snapshot();
        long perPosition = control.nanosPerPosition();
        return new PoolOverloadedException("pool " + name + " rejected the request at once: its expected wait exceeds"
                + " timeout_ms=" + timeoutMillis + " (" + gate.queued() + " waiting at about "
                + String.format(java.util.Locale.ROOT, "%.2f", perPosition / 1e6) + " ms per place: recent hold time "
                + String.format(java.util.Locale.ROOT, "%.2f", s.recentHoldNanos() / 1e6) + " ms over limit="
                + gate.limit() + ")");
    }

    private PoolCircuitOpenException circuitOpen() {
        long opened = breaker.openedAtMillis();
        return new PoolCircuitOpenException("pool " + name + " rejected the request at once: circuit breaker "
                + breaker.stateName() + (opened == 0 ? "" : " for " + (System.currentTimeMillis() - opened) + " ms")
                + " after physical acquisitions failed (breaker_failure_rate=" + config.breakerFailureRate()
                + "%); probes go through every breaker_open_ms=" + config.breakerOpen().toMillis(),
                breaker.lastFailure());
    }

    private PoolRateLimitedException rateLimited() {
        return new PoolRateLimitedException("pool " + name + " rejected the request at once: more than"
                + " max_acquire_rate=" + config.maxAcquireRate() + " acquisitions per second");
    }

    private PoolAcquireTimeoutException timedOut(long waitedNanos) {
        return new PoolAcquireTimeoutException("pool " + name + " had no connection within timeout_ms="
                + timeoutMillis + " (waited " + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms; " + gate.inUse()
                + " of limit=" + gate.limit() + " in use, " + gate.queued() + " of max_queue=" + gate.maxQueue()
                + " waiting)", ErrorCode.ACQUIRE_TIMEOUT, null);
    }

    private SQLException translate(SQLException e) {
        if (closing.get()) {
            metrics.reject(RejectReason.CLOSED);
            PoolClosedException closed = closedException();
            closed.initCause(e);
            return closed;
        }
        metrics.reject(RejectReason.TIMEOUT);
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
        leases.close();
        control.stop();
        hikari.getHikariConfigMXBean().setMinimumIdle(0);
        hikariPool.softEvictConnections();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        // Polled, not signalled: close is rare and a signal would cost every release a volatile read.
        while (hikariPool.getActiveConnections() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        hikari.close();
        if (claim != null) {
            claim.close();
        }
        metrics.close();
        unregisterMBean();
        LIVE_NAMES.remove(name);
    }

    /** @return a snapshot of this pool's figures */
    public PoolStats stats() {
        PoolStats.Builder b = new PoolStats.Builder();
        b.pool = name;
        b.service = config.service();
        b.dbRole = config.dbRole();
        b.limit = gate.limit();
        b.maxConnections = config.maxConnections();
        b.active = gate.inUse();
        b.idle = closing.get() ? 0 : hikariPool.getIdleConnections();
        b.total = closing.get() ? 0 : hikariPool.getTotalConnections();
        b.queueDepth = gate.queued();
        b.maxQueue = gate.maxQueue();
        b.paused = paused();
        b.acquired = metrics.acquired();
        b.timeouts = metrics.timeouts();
        for (RejectReason r : RejectReason.values()) {
            b.rejections.put(r, metrics.rejections(r));
        }
        b.leaksDetected = metrics.leaksDetected();
        b.leaksReclaimed = metrics.leaksReclaimed();
        PoolStats.Latency[] l = metrics.latencies();
        b.waitTime = l[0];
        b.useTime = l[1];
        b.transactionTime = l[2];
        ControlLoop.Snapshot s = control.snapshot();
        b.targetSize = s.size();
        b.arrivalRate = s.arrivalRate();
        b.holdTimeMicros = s.holdTimeNanos() / 1e3;
        b.offeredLoad = s.offeredLoad();
        b.recentHoldTimeMicros = s.recentHoldNanos() / 1e3;
        b.baselineHoldTimeMicros = s.baselineHoldNanos() / 1e3;
        b.sizingReason = s.reason();
        b.breakerState = breaker.stateName();
        b.budget = config.budget();
        b.budgetShare = claim == null ? -1 : s.grant();
        return new PoolStats(b);
    }

    /** @return whether {@link #pause()} is in force (a closed pool is not "paused") */
    private boolean paused() {
        return gate.isPaused() && !gate.isClosed();
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
        hikariPool.softEvictConnections();
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
            hikari.evictConnection(pc.inner());
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

    private static String claimName(String base) {
        if (LIVE_NAMES.putIfAbsent(base, Boolean.TRUE) == null) {
            return base;
        }
        for (int i = 2;; i++) {
            String candidate = base + "#" + i;
            if (LIVE_NAMES.putIfAbsent(candidate, Boolean.TRUE) == null) {
                return candidate;
            }
        }
    }

    private ObjectName registerMBean() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String base = "dev.pooled:type=Pool,service=" + config.service() + ",db_role=" + config.dbRole();
        int hash = name.indexOf('#');
        try {
            ObjectName on = new ObjectName(hash < 0 ? base : base + ",pool=" + name.substring(hash + 1));
            server.registerMBean(new MBean(), on);
            return on;
        } catch (JMException e) {
            LOG.warn("pool {}: could not register its MBean", name, e);
            return null;
        }
    }

    private void unregisterMBean() {
        if (mbeanName == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
        } catch (JMException e) {
            LOG.debug("pool {}: MBean already gone", name, e);
        }
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", limit=" + gate.limit() + ", inUse=" + gate.inUse() + ", queued="
                + gate.queued() + (closing.get() ? ", closed" : "") + "]";
    }

    /**
     * HikariCP's one observation slot, for the timings HikariCP measures anyway (borrow, use, create). The gate's
     * permit does not go back here: HikariCP evicts a broken connection without recycling it.
     */
    private static final class Tracker implements IMetricsTracker {
        private final PoolMetrics metrics;

        Tracker(PoolMetrics metrics) {
            this.metrics = metrics;
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

    /** What the gauges read: cached state only. */
    private final class MetricsSource implements PoolMetrics.Source {
        @Override
        public int limit() {
            return gate.limit();
        }

        @Override
        public int active() {
            return gate.inUse();
        }

        @Override
        public int idleConnections() {
            return closing.get() ? 0 : hikariPool.getIdleConnections();
        }

        @Override
        public int physicalConnections() {
            return closing.get() ? 0 : hikariPool.getTotalConnections();
        }

        @Override
        public int queued() {
            return gate.queued();
        }

        @Override
        public int maxQueue() {
            return gate.maxQueue();
        }

        @Override
        public int maxConnections() {
            return config.maxConnections();
        }

        @Override
        public int minIdle() {
            return config.minIdle();
        }

        @Override
        public boolean paused() {
            return ConnectionPool.this.paused();
        }

        @Override
        public int targetSize() {
            return control.snapshot().size();
        }

        @Override
        public double arrivalRate() {
            return control.snapshot().arrivalRate();
        }

        @Override
        public double holdTimeSeconds() {
            return control.snapshot().holdTimeNanos() / 1e9;
        }

        @Override
        public double offeredLoad() {
            return control.snapshot().offeredLoad();
        }

        @Override
        public int breakerState() {
            return breaker.enabled() ? breaker.state : -1;
        }

        @Override
        public double budgetShare() {
            return claim == null ? Double.NaN : control.snapshot().grant();
        }
    }

    /** What the control loop reads and moves; only the control thread calls it. */
    private final class Plant implements ControlLoop.Plant {
        @Override
        public int inUse() {
            return gate.inUse();
        }

        @Override
        public int queued() {
            return gate.queued();
        }

        @Override
        public long acquired() {
            return metrics.acquired();
        }

        @Override
        public long capacityRejections() {
            return metrics.capacityRejections();
        }

        @Override
        public int physical() {
            return closing.get() ? 0 : hikariPool.getTotalConnections();
        }

        @Override
        public int physicalMax() {
            return appliedSize;
        }

        @Override
        public boolean paused() {
            return gate.isPaused();
        }

        @Override
        public void applySize(int size) {
            if (!closing.get()) {
                ConnectionPool.this.applySize(size);
            }
        }

        @Override
        public void applyLimit(int limit) {
            gate.setLimit(limit);
        }

        @Override
        public int evictIdle(int count) {
            return ConnectionPool.this.evictIdle(count);
        }

        @Override
        public void resized(int from, int to, String reason) {
            metrics.resized(from, to);
            LOG.debug("pool {}: {}", name, reason);
        }
    }

    /** The JMX view: every attribute is read from a {@link #stats()} snapshot, so the two cannot disagree. */
    private final class MBean implements PoolMXBean {
        @Override
        public String getPool() {
            return stats().pool();
        }

        @Override
        public int getLimit() {
            return stats().limit();
        }

        @Override
        public int getActive() {
            return stats().active();
        }

        @Override
        public int getIdle() {
            return stats().idle();
        }

        @Override
        public int getTotal() {
            return stats().total();
        }

        @Override
        public int getQueueDepth() {
            return stats().queueDepth();
        }

        @Override
        public int getMaxQueue() {
            return stats().maxQueue();
        }

        @Override
        public double getUtilization() {
            return stats().utilization();
        }

        @Override
        public long getAcquired() {
            return stats().acquired();
        }

        @Override
        public long getRejected() {
            return stats().rejected();
        }

        @Override
        public long getTimedOut() {
            return stats().timeouts();
        }

        @Override
        public long getLeaked() {
            return stats().leaksDetected();
        }

        @Override
        public long getReclaimed() {
            return stats().leaksReclaimed();
        }

        @Override
        public long getWaitP99Micros() {
            return Math.round(stats().waitTime().p99Micros());
        }

        @Override
        public boolean isPaused() {
            return stats().paused();
        }

        @Override
        public int getTargetSize() {
            return stats().targetSize();
        }

        @Override
        public double getArrivalRate() {
            return stats().arrivalRate();
        }

        @Override
        public double getHoldTimeMicros() {
            return stats().holdTimeMicros();
        }

        @Override
        public double getOfferedLoad() {
            return stats().offeredLoad();
        }

        @Override
        public String getSizingReason() {
            return stats().sizingReason();
        }

        @Override
        public String getBreakerState() {
            return stats().breakerState();
        }

        @Override
        public int getBudgetShare() {
            return stats().budgetShare();
        }

        @Override
        public void softEvictIdle() {
            ConnectionPool.this.softEvictIdle();
        }

        @Override
        public void pause() {
            ConnectionPool.this.pause();
        }

        @Override
        public void resume() {
            ConnectionPool.this.resume();
        }
    }

    /**
     * The physical data source as HikariCP sees it: a failure to open a connection (refused, authentication, network)
     * counts against the breaker as it happens, on HikariCP's connection-adder thread, so that a database that went
     * down opens the breaker without waiting for callers to time out one by one; a success is remembered
     * ({@link #timeoutCounts}).
     */
    private final class CountingDataSource implements DataSource {
        private final DataSource delegate;

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            try {
                return opened(delegate.getConnection());
            } catch (SQLException e) {
                throw counted(e);
            }
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            try {
                return opened(delegate.getConnection(user, password));
            } catch (SQLException e) {
                throw counted(e);
            }
        }

        private Connection opened(Connection c) {
            lastOpenedNanos = System.nanoTime();
            return c;
        }

        private SQLException counted(SQLException e) {
            if (!closing.get()) {
                breaker.failed(e);
            }
            return e;
        }

        @Override
        public java.io.PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(delegate) ? iface.cast(delegate) : delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(delegate) || delegate.isWrapperFor(iface);
        }
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
