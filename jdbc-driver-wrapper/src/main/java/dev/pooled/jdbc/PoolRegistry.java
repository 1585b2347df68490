package dev.pooled.jdbc;

import dev.pooled.ConnectionPool;
import dev.pooled.ErrorCode;
import dev.pooled.Instrumentation;
import dev.pooled.PoolClosedException;
import dev.pooled.PoolConfig;
import dev.pooled.PoolingMode;
import dev.pooled.PoolStats;
import dev.pooled.jdbc.internal.DriverDataSource;
import dev.pooled.jdbc.internal.PoolKey;
import dev.pooled.jdbc.internal.PooledRequest;
import dev.pooled.jdbc.internal.Redaction;
import dev.pooled.jdbc.internal.tx.TxContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pools that {@link PooledDriver} builds: one per (delegate URL, user, service), created on first use and kept
 * until {@link #close()}. Also holds the route cache that makes {@code connect} for a URL already seen one map
 * lookup and a borrow.
 *
 * <p>The driver's pools live here, not in hidden static state: {@link PooledDriver#registry()} returns the one
 * behind {@link DriverManager}, and {@code new PooledDriver(new PoolRegistry())} gives an application its own.
 * Nothing closes the pools at JVM exit unless {@link #registerShutdownHook(Duration)} is called; they never keep
 * the JVM alive either (all their threads are daemons).
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class PoolRegistry implements AutoCloseable {
    /** Distinct {@link Properties} contents remembered per URL; more fall back to the parsing path. */
    private static final int MAX_ROUTES_PER_URL = 8;

    private final ConcurrentHashMap<PoolKey, Slot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Route[]> routes = new ConcurrentHashMap<>();
    /** Transaction mode of each pool that runs in it. */
    private final ConcurrentHashMap<ConnectionPool, TxContext> transactionModes = new ConcurrentHashMap<>();
    private final ReentrantLock hookLock = new ReentrantLock();
    private volatile boolean closed;
    private Thread shutdownHook;

    private final Instrumentation instrumentation;
    private final dev.pooled.BudgetSource budgets;

    /** Creates an empty, open registry whose pools register meters in Micrometer's global registry. */
    public PoolRegistry() {
        this(Instrumentation.defaults());
    }

    /**
     * Creates an empty, open registry.
     *
     * @param instrumentation how every pool of this registry is observed
     */
    public PoolRegistry(Instrumentation instrumentation) {
        this(instrumentation, dev.pooled.BudgetSource.local());
    }

    /**
     * Creates an empty, open registry whose pools find the budgets their {@code pooled.budget} names in
     * {@code budgets} (for example a fleet-wide source) instead of this process's memory.
     *
     * @param instrumentation how every pool of this registry is observed
     * @param budgets where budgets are found
     */
    public PoolRegistry(Instrumentation instrumentation, dev.pooled.BudgetSource budgets) {
        this.instrumentation = java.util.Objects.requireNonNull(instrumentation, "instrumentation");
        this.budgets = java.util.Objects.requireNonNull(budgets, "budgets");
    }

    /**
     * Borrows a connection for a {@code jdbc:pooled:} URL.
     *
     * @param url the URL, starting with {@code jdbc:pooled:}
     * @param info connection properties, or {@code null}; never changed
     * @return a connection from the pool the request names, creating the pool on first use
     * @throws SQLException as {@link PooledDriver#connect} documents
     */
    Connection connect(String url, Properties info) throws SQLException {
        Route[] rs = routes.get(url);
        if (rs != null) {
            for (Route r : rs) {
                if (r.matches(info)) {
                    if (!r.pool.isClosed()) {
                        return r.tx == null ? r.pool.getConnection(r.priority) : r.tx.connect(r.priority);
                    }
                    if (closed) {
                        throw registryClosed();
                    }
                    // Closed before this call (for example through pools()): forget it and build anew. A caller
                    // already waiting when its pool closes gets PoolClosedException instead.
                    forget(r.pool);
                    break;
                }
            }
        }
        PooledRequest request = PooledRequest.parse(url, info, null, false);
        ConnectionPool pool = poolFor(request);
        TxContext tx = pool.config().mode() != PoolingMode.TRANSACTION ? null
                : transactionModes.computeIfAbsent(pool, p -> TxContext.forPool(p, request.delegateUrl()));
        remember(url, info, pool, request.config().priority(), tx);
        int priority = request.config().priority();
        return tx == null ? pool.getConnection(priority) : tx.connect(priority);
    }

    /**
     * @param request a parsed request
     * @return the running pool for the request's key, started if there is none
     * @throws SQLException if the registry is closed, the request conflicts with the running pool, no driver
     *         accepts the URL, or the pool cannot start
     */
    ConnectionPool poolFor(PooledRequest request) throws SQLException {
        if (closed) {
            throw registryClosed();
        }
        Slot slot = slots.computeIfAbsent(request.key(), k -> new Slot());
        slot.lock.lock();
        try {
            if (closed) {
                throw registryClosed();
            }
            ConnectionPool pool = slot.pool;
            if (pool != null && !pool.isClosed()) {
                verifySame(slot.origin, request, pool);
                return pool;
            }
            pool = startPool(request, instrumentation, budgets);
            slot.pool = pool;
            slot.origin = request;
            return pool;
        } finally {
            slot.lock.unlock();
        }
    }

    /** As {@link #startPool(PooledRequest, Instrumentation, dev.pooled.BudgetSource)} with this process's budgets. */
    static ConnectionPool startPool(PooledRequest request, Instrumentation instrumentation) throws SQLException {
        return startPool(request, instrumentation, dev.pooled.BudgetSource.local());
    }

    /** Starts a pool for a request, through the driver on the class path that accepts its URL. */
    static ConnectionPool startPool(PooledRequest request, Instrumentation instrumentation,
            dev.pooled.BudgetSource budgets) throws SQLException {
        Driver driver;
        try {
            driver = DriverManager.getDriver(request.delegateUrl());
        } catch (SQLException e) {
            throw new InvalidPooledUrlException("no JDBC driver on the class path accepts "
                    + Redaction.forMessage(request.redactedDelegateUrl()) + "; after jdbc:pooled: put a URL that a driver on the class path"
                    + " accepts, without its jdbc: (for example postgresql://host:5432/db with org.postgresql:postgresql,"
                    + " or mysql://host:3306/db with com.mysql:mysql-connector-j)", ErrorCode.NO_DELEGATE_DRIVER, e);
        }
        DriverDataSource physical = new DriverDataSource(driver, request.delegateUrl(), startupProperties(request),
                loginTimeoutSeconds(request.config()));
        // Extensions (etcd config records, fleet budgets) see the pool's extension settings; each closes itself
        // when it sees the pool closed.
        dev.pooled.PoolExtensions.Attached ext;
        try {
            ext = dev.pooled.PoolExtensions.installed()
                    .attach(request.extensionSettings(), request.config(), physical, instrumentation);
        } catch (dev.pooled.PoolConfigException e) {
            throw new InvalidPooledUrlException("invalid pool settings for "
                    + Redaction.forMessage(request.redactedDelegateUrl()) + ": "
                    + e.describe(PooledRequest.KEY_PREFIX), ErrorCode.INVALID_CONFIG, null);
        }
        try {
            ConnectionPool pool = ConnectionPool.start(ext.startConfig(request.config()), physical, instrumentation,
                    ext.budgets(budgets));
            try {
                ext.started(pool);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
            return pool;
        } catch (SQLException | RuntimeException e) {
            ext.close();
            throw e;
        }
    }

    /**
     * The delegate's properties, plus one for transaction mode on PostgreSQL: {@code assumeMinServerVersion=9.0}
     * unless the caller set it, so that pgjdbc sends {@code application_name} and {@code extra_float_digits} in its
     * start-up packet instead of with {@code SET} after start-up. They are then the session's own values, which
     * {@code RESET ALL} keeps: the reset after every transaction ({@code pooled.reset=always}) has nothing to put
     * back, and no setting changes twice per transaction (measured: that alone cost about a quarter of the
     * throughput in the transaction-mode benchmark). Every PostgreSQL that pgjdbc supports is 9.0 or later.
     */
    private static java.util.Properties startupProperties(PooledRequest request) {
        java.util.Properties p = request.connectProperties();
        if (request.config().mode() == PoolingMode.TRANSACTION
                && request.delegateUrl().startsWith("jdbc:postgresql:")
                && p.getProperty("assumeMinServerVersion") == null
                && !request.delegateUrl().contains("assumeMinServerVersion=")) {
            p.setProperty("assumeMinServerVersion", "9.0");
        }
        return p;
    }

    /**
     * The login timeout of the probe connection a pool opens before HikariCP runs (HikariCP then sets its own from
     * its connection timeout): {@code timeout_ms} rounded up to seconds, plus one, so that a server that accepts TCP
     * and never answers fails the start instead of hanging it.
     */
    private static int loginTimeoutSeconds(PoolConfig config) {
        return (int) Math.min(Integer.MAX_VALUE, (config.timeout().toMillis() + 999) / 1000 + 1);
    }

    private static void verifySame(PooledRequest origin, PooledRequest request, ConnectionPool pool)
            throws SQLException {
        if (!MessageDigest.isEqual(bytes(origin.password()), bytes(request.password()))) {
            throw new PoolCredentialsMismatchException("pool " + pool.name() + " for "
                    + Redaction.forMessage(request.redactedDelegateUrl()) + " (user " + Redaction.value(request.user())
                    + ") was started with another password; a request with a different"
                    + " password for the same URL, user and service is refused");
        }
        List<String> diffs = new ArrayList<>();
        Map<String, String> running = origin.config().withPriority(request.config().priority()).asMap();
        Map<String, String> asked = request.config().asMap();
        for (String key : PoolConfig.KEYS) {
            if (!Objects.equals(running.get(key), asked.get(key))) {
                diffs.add(PooledRequest.KEY_PREFIX + key + "=" + running.get(key) + " (this request asks for "
                        + asked.get(key) + ")");
            }
        }
        if (!origin.extensionSettings().equals(request.extensionSettings())) {
            diffs.add("extension settings (pooled.etcd.* and the like) differ");
        }
        if (!origin.delegateUrl().equals(request.delegateUrl())) {
            diffs.add("URL parameters differ");
        }
        Map<String, String> a = origin.connectionSettings();
        Map<String, String> b = request.connectionSettings();
        if (!a.equals(b)) {
            TreeSet<String> names = new TreeSet<>(a.keySet());
            names.addAll(b.keySet());
            names.removeIf(n -> Objects.equals(a.get(n), b.get(n)));
            diffs.add("connection properties differ: " + Redaction.value(String.join(", ", names)));
        }
        if (!diffs.isEmpty()) {
            throw new InvalidPooledUrlException("pool " + pool.name() + " for "
                    + Redaction.forMessage(request.redactedDelegateUrl()) + " (user " + Redaction.value(request.user())
                    + ") already runs with other settings: " + String.join("; ", diffs)
                    + ". One URL, user and service share one pool: ask with the same settings, or name another"
                    + " pooled.service", ErrorCode.POOL_CONFLICT, null);
        }
    }


    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : ("\u0000" + s).getBytes(StandardCharsets.UTF_8);
    }

    private void remember(String url, Properties info, ConnectionPool pool, int priority, TxContext tx) {
        Route route = Route.of(info, pool, priority, tx);
        if (route == null) {
            return;
        }
        routes.compute(url, (k, old) -> {
            if (old == null) {
                return new Route[] {route};
            }
            for (Route r : old) {
                if (r.pool == pool && r.sameAs(route)) {
                    return old;
                }
            }
            if (old.length >= MAX_ROUTES_PER_URL) {
                return old;
            }
            Route[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = route;
            return grown;
        });
    }

    private void forget(ConnectionPool pool) {
        transactionModes.remove(pool);
        routes.replaceAll((url, rs) -> Arrays.stream(rs).filter(r -> r.pool != pool).toArray(Route[]::new));
        routes.values().removeIf(rs -> rs.length == 0);
    }

    /** @return the pools running now; a snapshot */
    public List<ConnectionPool> pools() {
        List<ConnectionPool> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            ConnectionPool p = s.pool;
            if (p != null && !p.isClosed()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Closes one pool and forgets it; the next request for its key starts a new one.
     *
     * @param pool a pool from {@link #pools()}
     * @param drainTimeout how long to wait for its borrowed connections
     */
    public void remove(ConnectionPool pool, Duration drainTimeout) {
        forget(pool);
        for (Slot s : slots.values()) {
            if (s.pool == pool) {
                s.lock.lock();
                try {
                    if (s.pool == pool) {
                        s.pool = null;
                        s.origin = null;
                    }
                } finally {
                    s.lock.unlock();
                }
            }
        }
        pool.close(drainTimeout);
    }

    /** @return a snapshot of every running pool's figures */
    public List<PoolStats> stats() {
        List<PoolStats> out = new ArrayList<>();
        for (ConnectionPool p : pools()) {
            out.add(p.stats());
        }
        return out;
    }

    /**
     * @param pool a pool of this registry
     * @return what transaction mode did for the pool (pins by reason, bindings, resets); empty when the pool runs
     *         in session mode or is not this registry's
     */
    public Optional<TransactionModeStats> transactionModeStats(ConnectionPool pool) {
        TxContext tx = transactionModes.get(pool);
        return tx == null ? Optional.empty() : Optional.of(tx.stats());
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** Closes every pool, waiting up to {@link ConnectionPool#DEFAULT_DRAIN_TIMEOUT} for borrowed connections. */
    @Override
    public void close() {
        close(ConnectionPool.DEFAULT_DRAIN_TIMEOUT);
    }

    /**
     * Closes every pool (see {@link ConnectionPool#close(Duration)}) and refuses every later request with
     * {@link PoolClosedException}. Pools drain in parallel, so the whole call takes at most about
     * {@code drainTimeout}.
     *
     * @param drainTimeout how long to wait for borrowed connections
     */
    public void close(Duration drainTimeout) {
        closed = true;
        routes.clear();
        List<Thread> closers = new ArrayList<>();
        for (Slot s : slots.values()) {
            s.lock.lock();
            try {
                ConnectionPool p = s.pool;
                if (p != null) {
                    Thread t = new Thread(() -> p.close(drainTimeout), "pooled-" + p.config().service() + "."
                            + p.config().dbRole() + "-closer");
                    t.setDaemon(true);
                    t.start();
                    closers.add(t);
                }
            } finally {
                s.lock.unlock();
            }
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Closes this registry's pools when the JVM shuts down. Idempotent; off unless called.
     *
     * @param drainTimeout how long the hook waits for borrowed connections before it aborts them
     */
    public void registerShutdownHook(Duration drainTimeout) {
        hookLock.lock();
        try {
            if (shutdownHook == null) {
                shutdownHook = new Thread(() -> close(drainTimeout), "pooled-registry-shutdown");
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            }
        } finally {
            hookLock.unlock();
        }
    }

    private static PoolClosedException registryClosed() {
        return new PoolClosedException("the jdbc:pooled: pool registry is closed");
    }

    @Override
    public String toString() {
        return "PoolRegistry[pools=" + pools().size() + (closed ? ", closed" : "") + "]";
    }

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile ConnectionPool pool;
        PooledRequest origin;
    }

    /** A URL plus {@link Properties} contents already resolved to a pool. Holds the password; never shown. */
    private static final class Route {
        final String[] keys;
        final String[] values;
        final ConnectionPool pool;
        final int priority;
        /** Transaction mode of the pool, or {@code null} in session mode. */
        final TxContext tx;

        private Route(String[] keys, String[] values, ConnectionPool pool, int priority, TxContext tx) {
            this.keys = keys;
            this.values = values;
            this.pool = pool;
            this.priority = priority;
            this.tx = tx;
        }

        /**
         * @return a route for the effective properties ({@link Properties#stringPropertyNames()}, the defaults
         *         chain included), or {@code null} when some entry is not a string (it cannot be compared as the
         *         delegate driver reads it)
         */
        static Route of(Properties info, ConnectionPool pool, int priority, TxContext tx) {
            if (info == null) {
                return new Route(new String[0], new String[0], pool, priority, tx);
            }
            var names = info.stringPropertyNames();
            if (names.size() < info.size()) {
                return null;
            }
            String[] k = names.toArray(new String[0]);
            Arrays.sort(k);
            String[] v = new String[k.length];
            for (int i = 0; i < k.length; i++) {
                v[i] = info.getProperty(k[i]);
            }
            return new Route(k, v, pool, priority, tx);
        }

        /**
         * Compares the effective properties, the defaults chain included: a request whose user, password or any
         * setting comes from {@code new Properties(defaults)} must never match a route made for other values.
         * {@link Properties#getProperty} reads the chain without allocating; the set of names does allocate,
         * because {@link Properties} offers no other way to learn that a defaults chain holds a name this route
         * lacks (its {@code defaults} field is not accessible).
         */
        boolean matches(Properties info) {
            if (info == null) {
                return keys.length == 0;
            }
            if (info.size() > keys.length) {
                return false;
            }
            for (int i = 0; i < keys.length; i++) {
                if (!values[i].equals(info.getProperty(keys[i]))) {
                    return false;
                }
            }
            // Own entries hold at most keys.length names, all with our values; now no other name may come from
            // the defaults chain (nor a non-string own entry hide one).
            return info.stringPropertyNames().size() == keys.length;
        }

        boolean sameAs(Route o) {
            return priority == o.priority && Arrays.equals(keys, o.keys) && Arrays.equals(values, o.values);
        }

        @Override
        public String toString() {
            return "Route[" + pool.name() + "]";
        }
    }
}
