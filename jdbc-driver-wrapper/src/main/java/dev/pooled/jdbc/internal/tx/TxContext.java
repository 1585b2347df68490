package dev.pooled.jdbc.internal.tx;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolClosedException;
import dev.pooled.PoolConfig;
import dev.pooled.PoolingMode;
import dev.pooled.jdbc.PinReason;
import dev.pooled.jdbc.PinRejectedException;
import dev.pooled.jdbc.TransactionModeStats;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Transaction mode for one pool: hands out {@link LogicalConnection}s, which borrow a physical connection from
 * this pool (and only this pool, so never one of another tenant) for each transaction. Holds what the pool's logical
 * connections share: the statement rules of its database, the pin policy, the counters, the physical connections'
 * default JDBC state (learned from the first one bound) and the driver hooks. Thread-safe.
 */
public final class TxContext {
    /** Runs a driver's abort on the calling thread. */
    private static final Executor DIRECT = Runnable::run;
    /** Distinct SQL texts whose classification is kept; more are classified each time (no eviction to manage). */
    static final int CLASSIFICATION_CACHE_SIZE = 2048;

    final ConnectionPool pool;
    final Dialect dialect;
    final boolean rejectPins;
    /** {@code pooled.reset=always}: every binding ends with a session reset, whatever the classifier saw. */
    final boolean resetAlways;
    final TxStats stats = new TxStats();
    private final String delegateUrl;
    private volatile Defaults defaults;
    private volatile DriverHooks hooks;
    /** Classifications by SQL text: applications run the same few hundred statements over and over. */
    private final ConcurrentHashMap<String, Integer> classifications = new ConcurrentHashMap<>();

    private TxContext(ConnectionPool pool, String delegateUrl) {
        this.pool = pool;
        this.delegateUrl = delegateUrl;
        this.dialect = Dialect.of(delegateUrl);
        this.rejectPins = pool.config().pinPolicy() == PoolConfig.PinPolicy.REJECT;
        this.resetAlways = pool.config().reset() == PoolConfig.ResetPolicy.ALWAYS;
    }

    /**
     * @param pool a running pool
     * @param delegateUrl the URL its physical connections are opened with; picks the database's rules
     * @return transaction mode for the pool, or {@code null} when the pool runs in session mode
     */
    public static TxContext forPool(ConnectionPool pool, String delegateUrl) {
        return pool.config().mode() == PoolingMode.TRANSACTION ? new TxContext(pool, delegateUrl) : null;
    }

    /**
     * A logical connection: nothing is borrowed until its first statement.
     *
     * @param priority the priority of every borrow it makes
     * @return a new logical connection
     * @throws PoolClosedException (08003) if the pool is closed
     * @throws dev.pooled.PoolInvalidPriorityException (22023) if the priority is out of range
     */
    public Connection connect(int priority) throws SQLException {
        if (priority < PoolConfig.MIN_PRIORITY || priority > PoolConfig.MAX_PRIORITY) {
            throw new dev.pooled.PoolInvalidPriorityException(priority);
        }
        if (pool.isClosed()) {
            throw new PoolClosedException("pool " + pool.name() + " is closed");
        }
        stats.open.increment();
        return new LogicalConnection(this, priority);
    }

    /** @return a snapshot of this pool's transaction-mode figures */
    public TransactionModeStats stats() {
        return stats.snapshot();
    }

    /** @return the pool this context borrows from */
    public ConnectionPool pool() {
        return pool;
    }

    /** @return the classification of a statement under this database's rules */
    int classify(String sql) {
        Integer known = classifications.get(sql);
        if (known != null) {
            return known;
        }
        int c = StatementClassifier.classify(sql, dialect);
        if (classifications.size() < CLASSIFICATION_CACHE_SIZE) {
            classifications.put(sql, c);
        }
        return c;
    }

    PinRejectedException rejected(PinReason reason) {
        stats.rejected[reason.ordinal()].increment();
        return new PinRejectedException("pool " + pool.name() + " (mode=transaction, pin_policy=reject) refused a "
                + reason.tag() + " statement: it would leave session state behind and pin the connection ("
                + hint(reason) + "); nothing was sent", reason);
    }

    private static String hint(PinReason reason) {
        switch (reason) {
            case SESSION_SETTING:
                return "use SET LOCAL or set_config(..., true) inside a transaction, or the JDBC setters";
            case USER_VARIABLE:
                return "keep the value in the application";
            case PREPARED_STATEMENT:
                return "use a JDBC PreparedStatement, which is prepared again on each connection";
            case TEMPORARY_TABLE:
                return "on PostgreSQL use CREATE TEMP TABLE ... ON COMMIT DROP inside a transaction";
            case ADVISORY_LOCK:
                return "on PostgreSQL use pg_advisory_xact_lock inside a transaction";
            case TABLE_LOCK:
                return "use SELECT ... FOR UPDATE inside a transaction";
            case CURSOR_WITH_HOLD:
                return "use a cursor without HOLD inside a transaction";
            case DEFAULT_DATABASE:
                return "use Connection.setCatalog or qualified names";
            default:
                return "use a pool with mode=session for this work";
        }
    }

    /** @return the defaults, learned from {@code physical} if this is the pool's first binding */
    Defaults defaults(Connection physical) throws SQLException {
        Defaults d = defaults;
        if (d == null) {
            d = new Defaults(physical);
            hooks().learn(physical);
            defaults = d;
        }
        return d;
    }

    /** @return the defaults, or {@code null} before the first binding */
    Defaults knownDefaults() {
        return defaults;
    }

    DriverHooks hooks() {
        DriverHooks h = hooks;
        if (h == null) {
            ClassLoader loader;
            try {
                loader = DriverManager.getDriver(delegateUrl).getClass().getClassLoader();
            } catch (SQLException e) {
                loader = TxContext.class.getClassLoader();
            }
            h = DriverHooks.of(dialect, loader);
            hooks = h;
        }
        return h;
    }

    /**
     * Closes a physical connection instead of giving it back for reuse, and still returns its gate permit
     * ({@link ConnectionPool#evict}: HikariCP retires the entry). Should that fail, the driver connection underneath
     * is aborted before the close, so that nothing of it can be handed out again.
     */
    void evict(Connection physical) {
        stats.evictions.increment();
        try {
            pool.evict(physical);
            return;
        } catch (SQLException | RuntimeException e) {
            // not evictable through the pool: fall through
        }
        try {
            physical.abort(DIRECT);
        } catch (SQLException | RuntimeException e) {
            // closed already
        }
        try {
            physical.close();
        } catch (SQLException | RuntimeException e) {
            // an aborted connection may fail to restore its state on close; the permit still comes back
        }
    }

    @Override
    public String toString() {
        return "TxContext[" + pool.name() + ", " + dialect + "]";
    }

    /** The JDBC state a physical connection has when the pool hands it out. */
    static final class Defaults {
        final boolean readOnly;
        final int isolation;
        final String catalog;
        final String schema;
        final int holdability;
        final int networkTimeout;
        final Properties clientInfo;

        Defaults(Connection c) throws SQLException {
            readOnly = c.isReadOnly();
            isolation = c.getTransactionIsolation();
            catalog = c.getCatalog();
            schema = c.getSchema();
            holdability = c.getHoldability();
            int nt;
            try {
                nt = c.getNetworkTimeout();
            } catch (SQLException e) {
                nt = 0;
            }
            networkTimeout = nt;
            Properties ci;
            try {
                ci = c.getClientInfo();
            } catch (SQLException e) {
                ci = new Properties();
            }
            clientInfo = copy(ci);
        }

        static Properties copy(Properties p) {
            Properties out = new Properties();
            if (p != null) {
                for (String name : p.stringPropertyNames()) {
                    out.setProperty(name, p.getProperty(name));
                }
            }
            return out;
        }
    }
}
