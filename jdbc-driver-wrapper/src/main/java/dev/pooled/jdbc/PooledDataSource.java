package dev.pooled.jdbc;

import dev.pooled.ConnectionPool;
import dev.pooled.Instrumentation;
import dev.pooled.PoolConfig;
import dev.pooled.PoolStats;
import dev.pooled.jdbc.internal.PooledRequest;
import dev.pooled.jdbc.internal.tx.TxContext;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} backed by its own pool, for code that takes a {@code DataSource} rather than a URL. It owns
 * the pool: {@link #close()} closes it. Build one with {@link #builder()}.
 *
 * <pre>{@code
 * PooledDataSource ds = PooledDataSource.builder()
 *     .url("jdbc:postgresql://127.0.0.1:5432/app")
 *     .user("app").password(secret)
 *     .set(PoolConfig.SERVICE, "orders").set(PoolConfig.MAX_CONNECTIONS, "20")
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class PooledDataSource implements DataSource, AutoCloseable {
    private final ConnectionPool pool;
    private final String description;
    /** Transaction mode, or {@code null} when the pool runs in session mode. */
    private final TxContext tx;

    private PooledDataSource(ConnectionPool pool, String description, TxContext tx) {
        this.pool = pool;
        this.description = description;
        this.tx = tx;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Borrows a connection at the pool's default priority. In transaction mode ({@code mode=transaction}) the
     * connection is logical and borrows nothing yet: each transaction borrows a physical connection, and the
     * exceptions below come from its first statement instead.
     *
     * @throws dev.pooled.PoolQueueFullException (08004) if the wait queue is full
     * @throws dev.pooled.PoolAcquireTimeoutException (08001) if none came within {@code timeout_ms}
     * @throws dev.pooled.PoolClosedException (08003) if this data source is closed
     */
    @Override
    public Connection getConnection() throws SQLException {
        return tx == null ? pool.getConnection() : tx.connect(pool.config().priority());
    }

    /**
     * Borrows a connection; higher priorities are served first.
     *
     * @param priority {@value PoolConfig#MIN_PRIORITY} to {@value PoolConfig#MAX_PRIORITY}
     * @return a connection
     * @throws InvalidPriorityException (HY024, 1005) if the priority is out of range
     * @throws SQLException as {@link #getConnection()}
     */
    public Connection getConnection(int priority) throws SQLException {
        if (priority < PoolConfig.MIN_PRIORITY || priority > PoolConfig.MAX_PRIORITY) {
            throw new InvalidPriorityException(priority);
        }
        return tx == null ? pool.getConnection(priority) : tx.connect(priority);
    }

    /** Not supported: a pool's connections all belong to its one user. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a PooledDataSource serves the one user it was built with;"
                + " build another PooledDataSource for another user");
    }

    /** @return the pool behind this data source */
    public ConnectionPool pool() {
        return pool;
    }

    /** @return a snapshot of the pool's figures */
    public PoolStats stats() {
        return pool.stats();
    }

    /** @return what transaction mode did (pins by reason, bindings, resets); empty in session mode */
    public Optional<TransactionModeStats> transactionModeStats() {
        return tx == null ? Optional.empty() : Optional.of(tx.stats());
    }

    /** Closes the pool; see {@link ConnectionPool#close()}. */
    @Override
    public void close() {
        pool.close();
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return pool.isClosed();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Not used: logging goes through SLF4J.
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("use pooled.timeout_ms");
    }

    @Override
    public int getLoginTimeout() {
        return (int) Math.min(Integer.MAX_VALUE, pool.config().timeout().toSeconds());
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("dev.pooled");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(pool)) {
            return iface.cast(pool);
        }
        throw new SQLException("PooledDataSource is not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this) || iface.isInstance(pool);
    }

    @Override
    public String toString() {
        return "PooledDataSource[" + description + ", " + pool + "]";
    }

    /**
     * Collects the URL, credentials and settings. Settings come from the URL's {@code pooled.*} parameters, then
     * {@link #properties(Properties)}, then {@link #set(String, String)} / {@link #config(PoolConfig)}; a later
     * source wins. Not thread-safe.
     */
    public static final class Builder {
        private String url;
        private final Properties properties = new Properties();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Instrumentation instrumentation = Instrumentation.defaults();
        private dev.pooled.BudgetSource budgets = dev.pooled.BudgetSource.local();

        private Builder() {
        }

        /**
         * @param budgets where the budget named by {@code budget} is found; default: {@link
         *        dev.pooled.BudgetSource#local()}, shared by the pools of this process
         * @return this
         */
        public Builder budgets(dev.pooled.BudgetSource budgets) {
            this.budgets = java.util.Objects.requireNonNull(budgets, "budgets");
            return this;
        }

        /**
         * @param instrumentation the meter registry, listener, tracer and JMX choice; default: Micrometer's global
         *        registry, no listener, no tracing, JMX on
         * @return this
         */
        public Builder instrumentation(Instrumentation instrumentation) {
            this.instrumentation = java.util.Objects.requireNonNull(instrumentation, "instrumentation");
            return this;
        }

        /** @param url {@code jdbc:pooled:...} or a plain driver URL such as {@code jdbc:postgresql://...}; @return this */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** @param user the database user; @return this */
        public Builder user(String user) {
            properties.setProperty("user", user);
            return this;
        }

        /** @param password the database password; kept out of every message and {@code toString()}; @return this */
        public Builder password(String password) {
            properties.setProperty("password", password);
            return this;
        }

        /** @param name a delegate driver property, or a {@code pooled.*} setting; @param value its value; @return this */
        public Builder property(String name, String value) {
            properties.setProperty(name, value);
            return this;
        }

        /** @param props copied; {@code pooled.*} entries are settings, the rest go to the driver; @return this */
        public Builder properties(Properties props) {
            for (String name : props.stringPropertyNames()) {
                properties.setProperty(name, props.getProperty(name));
            }
            return this;
        }

        /**
         * @param key an external setting name from {@link PoolConfig#KEYS}, with or without {@code pooled.}
         * @param value its value as text; checked in {@link #build()}
         * @return this
         */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** @param config every setting at once; @return this */
        public Builder config(PoolConfig config) {
            settings.putAll(config.asMap());
            return this;
        }

        /**
         * Starts the pool.
         *
         * @return the data source
         * @throws InvalidPooledUrlException listing every bad setting, or when no driver accepts the URL
         * @throws dev.pooled.PoolStartException if the first connection fails (the driver's SQLState)
         */
        public PooledDataSource build() throws SQLException {
            PooledRequest request = PooledRequest.parse(url, properties, settings, true);
            ConnectionPool pool = PoolRegistry.startPool(request, instrumentation, budgets);
            return new PooledDataSource(pool, dev.pooled.jdbc.internal.Redaction.forMessage(request.redactedDelegateUrl())
                    + ", user=" + dev.pooled.jdbc.internal.Redaction.value(request.user()),
                    TxContext.forPool(pool, request.delegateUrl()));
        }

        @Override
        public String toString() {
            return "PooledDataSource.Builder[" + dev.pooled.jdbc.internal.Redaction.forMessage(url) + "]";
        }
    }
}
