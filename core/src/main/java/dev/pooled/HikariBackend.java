package dev.pooled;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.pooled.internal.PoolMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * The physical connections: one HikariCP pool, resized at runtime, observed through {@link HikariTracker}. The gate
 * in front decides who borrows; this class only borrows, resizes, evicts and drains.
 *
 * <p>Sizing contract: {@code maximumPoolSize} and {@code minimumIdle} move together under Little's-law sizing
 * (HikariCP 7.1 with {@code minimumIdle < maximumPoolSize} may stop growing short of its maximum; see
 * {@code docs/design.md}), and missing connections are requested at once rather than at HikariCP's next housekeeping
 * run (30 s). Shrinking closes idle connections ({@link #evictIdle}); borrowed ones go as they come back.
 * {@link #applySize} and {@link #evictIdle} are called by the control thread (and the constructor) only.
 */
final class HikariBackend {
    /**
     * {@code null} until {@link #start}: a pool whose database was down when it started builds HikariCP once it has
     * a first connection, because HikariCP takes the catalog and schema it resets borrowers to only at construction.
     */
    private volatile HikariDataSource hikari;
    private volatile HikariPool pool;
    private final HikariConfig hc;
    private final boolean autosize;
    private final AtomicBoolean closing;
    /** {@code min_idle} in force; written by {@link #reconfigure}. */
    private volatile int minIdle;
    /** The size HikariCP may grow to now; written by {@link #applySize} only. */
    private volatile int appliedSize;
    private final PoolMetrics metrics;
    /** Whether {@link HikariTracker} is installed; turns true at most once; the control thread's only. */
    private boolean tracked;

    /**
     * @param config the settings
     * @param physical makes physical connections (already wrapped by {@link PhysicalFailures#counting})
     * @param catalog what borrowers' catalog changes are reset to, or {@code null}
     * @param schema what borrowers' schema changes are reset to, or {@code null}
     * @param metrics where HikariCP's timings go
     * @param initial the size to start with
     * @param closing the pool's closing flag
     */
    HikariBackend(PoolConfig config, DataSource physical, String catalog, String schema, PoolMetrics metrics,
            int initial, AtomicBoolean closing) {
        this(config, physical, metrics, initial, closing, null);
        start(catalog, schema);
    }

    /**
     * A backend that starts HikariCP later ({@link #start}), for a pool whose database could not be reached yet.
     *
     * @param failover told of every fatal error HikariCP sees on a borrowed connection (see {@link FailoverSignals})
     */
    HikariBackend(PoolConfig config, DataSource physical, PoolMetrics metrics, int initial, AtomicBoolean closing,
            FailoverSignals failover) {
        this.autosize = config.sizing() == SizingMode.LITTLES_LAW;
        this.closing = closing;
        this.minIdle = config.minIdle();
        this.metrics = metrics;
        // HikariCP names its threads after the pool; ours use the same prefix: pooled-<service>.<db_role>-<role>.
        String threadPrefix = threadPrefix(config);
        HikariConfig hc = new HikariConfig();
        this.hc = hc;
        this.appliedSize = initial;
        hc.setPoolName(threadPrefix);
        hc.setDataSource(physical);
        // The maximum HikariCP starts with fixes the capacity of its connection-adder queue for good, and one queued
        // task opens one connection: start at the largest max_connections a live change may ask for, so that a step
        // up opens every missing connection at once. The real size is applied right below, before HikariCP's first
        // fill (100 ms later); the queue's capacity costs nothing until tasks are queued.
        hc.setMaximumPoolSize(PoolConfig.MAX_MAX_CONNECTIONS);
        hc.setMinimumIdle(hikariMinIdle(initial));
        hc.setMaxLifetime(config.maxLifetime().toMillis());
        // Leak detection is ours (LeaseGuard): HikariCP's can neither count leaks nor reclaim them.
        hc.setLeakDetectionThreshold(0);
        long hikariTimeout = hikariTimeoutMillis(config);
        hc.setConnectionTimeout(hikariTimeout);
        hc.setValidationTimeout(Math.min(5_000L, hikariTimeout));
        // The probe connection in ConnectionPool.start already proved the database answers, with the driver's error.
        hc.setInitializationFailTimeout(-1);
        hc.setThreadFactory(new DaemonThreadFactory(threadPrefix));
        if (failover != null) {
            hc.setExceptionOverride(failover);
        }
    }

    /**
     * Builds HikariCP (once) and applies the size the control loop last chose.
     *
     * @param catalog what borrowers' catalog changes are reset to, or {@code null}
     * @param schema what borrowers' schema changes are reset to, or {@code null}
     */
    synchronized void start(String catalog, String schema) {
        if (hikari != null || closing.get()) {
            return;
        }
        if (catalog != null) {
            hc.setCatalog(catalog);
        }
        if (schema != null) {
            hc.setSchema(schema);
        }
        if (metrics.timingsConsumed()) {
            // Known consumers at start get the tracker from HikariCP's first connection on (its creation time
            // included); installing it after the start would race the connection adders filling the pool.
            hc.setMetricsTrackerFactory((poolName, stats) -> new HikariTracker(metrics));
            tracked = true;
        }
        HikariDataSource h = new HikariDataSource(hc);
        pool = (HikariPool) h.getHikariPoolMXBean();
        hikari = h;
        applySize(appliedSize);
    }

    /** @return whether HikariCP runs (the database answered at least once) */
    boolean started() {
        return hikari != null;
    }

    /**
     * The server behind the connections is gone (failover): close idle connections now and borrowed ones as they
     * come back, and open none until {@link #resume()}: connection attempts against a dead server would only drive
     * HikariCP's adder into its back-off (up to 5 s), delaying the first connection to the new server.
     */
    void hold() {
        HikariDataSource h = hikari;
        if (h == null || closing.get()) {
            return;
        }
        h.getHikariConfigMXBean().setMinimumIdle(0);
        pool.softEvictConnections();
    }

    /** A server answers again: open the connections the size calls for, now. */
    void resume() {
        if (hikari != null) {
            applySize(appliedSize);
        }
    }

    /**
     * Installs {@link HikariTracker} once something consumes per-borrow timings. HikariCP accepts a tracker factory
     * once after it started; until then it runs its null tracker, which reads no clock of its own. The control
     * thread calls this every epoch, so a registry added later to a composite (such as
     * {@code Metrics.globalRegistry}) gets wait and use times within 100 ms.
     */
    synchronized void trackIfConsumed() {
        if (!tracked && hikari != null && !closing.get() && metrics.timingsConsumed()) {
            hikari.setMetricsTrackerFactory((poolName, stats) -> new HikariTracker(metrics));
            tracked = true;
        }
    }


    /** @return {@code pooled-<service>.<db_role>}, the prefix of every thread the pool starts */
    static String threadPrefix(PoolConfig config) {
        return "pooled-" + config.service() + "." + config.dbRole();
    }

    /**
     * The gate enforces {@code timeout_ms}; HikariCP's own timeout only bounds calls that bypass the gate (none do),
     * and HikariCP refuses less than 250 ms.
     */
    private static long hikariTimeoutMillis(PoolConfig config) {
        return Math.max(250L, config.timeout().toMillis());
    }

    /** HikariCP's minimumIdle for a size: the size itself when autosizing, else {@code min_idle} up to the size. */
    private int hikariMinIdle(int size) {
        return autosize ? size : Math.min(minIdle, size);
    }

    /**
     * Borrows a physical connection; the caller holds a gate permit.
     *
     * @param timeoutMillis the time left of the caller's {@code timeout_ms}
     * @return HikariCP's proxy
     * @throws SQLException HikariCP's error when none came in time or opening one failed
     */
    Connection borrow(long timeoutMillis) throws SQLException {
        HikariPool p = pool;
        if (p == null) {
            throw new SQLTransientConnectionException("pool not connected: its database has not answered yet",
                    "08001");
        }
        return p.getConnection(timeoutMillis);
    }

    /**
     * Resizes HikariCP. Size 0 (a budget granting nothing) keeps HikariCP at its minimum of one without filling it;
     * the gate then admits nobody.
     *
     * @param size physical connections to keep
     */
    void applySize(int size) {
        if (closing.get()) {
            return;
        }
        if (hikari == null) {
            appliedSize = size;
            return;
        }
        HikariConfigMXBean mx = hikari.getHikariConfigMXBean();
        int max = Math.max(1, size);
        int idle = hikariMinIdle(size);
        if (max >= mx.getMaximumPoolSize()) {
            mx.setMaximumPoolSize(max);
            mx.setMinimumIdle(idle);
        } else {
            mx.setMinimumIdle(idle);
            mx.setMaximumPoolSize(max);
        }
        appliedSize = size;
        int missing = Math.min(max - pool.getTotalConnections(), idle - pool.getIdleConnections());
        for (int i = 1; i <= missing; i++) {
            // Queues one connection-adder task per missing connection (each adds one while still needed).
            pool.addBagItem(i);
        }
    }

    /** @return the size HikariCP may grow to now */
    int appliedSize() {
        return appliedSize;
    }

    /**
     * Closes up to {@code count} idle physical connections. Its borrows are marked internal so that they are not
     * counted as acquisitions.
     *
     * @return how many were closed
     */
    int evictIdle(int count) {
        int closed = 0;
        while (closed < count && !closing.get() && pool != null && pool.getIdleConnections() > 0) {
            Connection c;
            HikariTracker.internalBorrow();
            try {
                c = pool.getConnection(0L);
            } catch (SQLException e) {
                break; // taken by a caller meanwhile
            } finally {
                HikariTracker.clear();
            }
            pool.evictConnection(c);
            closed++;
        }
        return closed;
    }

    /**
     * Applies the settings HikariCP itself holds: {@code max_lifetime_ms} (for connections opened from now on),
     * {@code timeout_ms}, and {@code min_idle} (at the next resize, and at once for a fixed size).
     */
    void reconfigure(PoolConfig next) {
        if (hikari == null) {
            synchronized (this) {
                if (hikari == null) {
                    hc.setConnectionTimeout(hikariTimeoutMillis(next));
                    hc.setValidationTimeout(Math.min(5_000L, hikariTimeoutMillis(next)));
                    hc.setMaxLifetime(next.maxLifetime().toMillis());
                    minIdle = next.minIdle();
                    return;
                }
            }
        }
        HikariConfigMXBean mx = hikari.getHikariConfigMXBean();
        long hikariTimeout = hikariTimeoutMillis(next);
        mx.setConnectionTimeout(hikariTimeout);
        mx.setValidationTimeout(Math.min(5_000L, hikariTimeout));
        mx.setMaxLifetime(next.maxLifetime().toMillis());
        minIdle = next.minIdle();
        if (!autosize && !closing.get()) {
            mx.setMinimumIdle(Math.min(next.minIdle(), Math.max(1, appliedSize)));
        }
    }

    /** Closes idle connections now and borrowed ones when they come back; HikariCP opens fresh ones. */
    void softEvict() {
        HikariPool p = pool;
        if (p != null) {
            p.softEvictConnections();
        }
    }

    /** @param hikariProxy a borrowed HikariCP proxy whose physical connection must not be reused */
    void evict(Connection hikariProxy) {
        hikari.evictConnection(hikariProxy);
    }

    /** @return physical connections open now (0 once closing) */
    int total() {
        HikariPool p = pool;
        return closing.get() || p == null ? 0 : p.getTotalConnections();
    }

    /** @return idle physical connections now (0 once closing) */
    int idle() {
        HikariPool p = pool;
        return closing.get() || p == null ? 0 : p.getIdleConnections();
    }

    /** @return physical connections open now, also while closing */
    int totalNow() {
        HikariPool p = pool;
        return p == null ? 0 : p.getTotalConnections();
    }

    /** @return idle physical connections now, also while closing */
    int idleNow() {
        HikariPool p = pool;
        return p == null ? 0 : p.getIdleConnections();
    }

    /**
     * Closes idle connections at once, waits up to {@code drainTimeout} for borrowed ones, then closes HikariCP
     * (which aborts those still out). The pool's closing flag is already set.
     */
    void drainAndClose(Duration drainTimeout) {
        synchronized (this) {
            if (hikari == null) {
                return; // never started: nothing to drain (start() checks the closing flag)
            }
        }
        hikari.getHikariConfigMXBean().setMinimumIdle(0);
        pool.softEvictConnections();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        // Polled, not signalled: close is rare and a signal would cost every release a volatile read. An interrupt
        // of the closing thread ends the wait (parkNanos would return at once for ever: a spin). HikariCP's own
        // close stops half-way when the flag is set (its awaitTermination throws), so the flag is cleared for it
        // and set again afterwards.
        boolean interrupted = false;
        while (pool.getActiveConnections() > 0 && System.nanoTime() - deadline < 0) {
            if (Thread.interrupted()) {
                interrupted = true;
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        interrupted |= Thread.interrupted();
        try {
            hikari.close();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
