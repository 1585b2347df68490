package dev.pooled.jdbc;

import dev.pooled.PoolConfig;
import dev.pooled.jdbc.internal.PooledRequest;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:pooled:} driver. {@code jdbc:pooled:<rest>} is served by a pool whose physical connections the
 * driver that accepts {@code jdbc:<rest>} opens; {@code DriverManager.getConnection} callers get pooling without
 * code changes. Registered with {@link DriverManager} when the class loads and through
 * {@code META-INF/services/java.sql.Driver}.
 *
 * <p>Pool settings are URL parameters with the {@code pooled.} prefix (removed before the delegate sees the URL)
 * and {@link Properties} entries with the same names; a property (the {@code Properties} defaults chain included)
 * wins over a URL parameter, and a key given twice in the URL with different values is an error. Calls with the same
 * delegate URL, user and {@code pooled.service} share one pool. The first call for a URL parses it and starts the
 * pool; later calls with the same URL and properties are one map lookup and a borrow.
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class PooledDriver implements Driver {
    private static final PoolRegistry DEFAULT_REGISTRY = new PoolRegistry();
    private static final PooledDriver INSTANCE = new PooledDriver(DEFAULT_REGISTRY);

    static {
        try {
            DriverManager.registerDriver(INSTANCE);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PoolRegistry registry;

    /** For {@link java.util.ServiceLoader}: a driver backed by {@link #registry()}. */
    public PooledDriver() {
        this(DEFAULT_REGISTRY);
    }

    /**
     * A driver with its own pools, not registered with {@link DriverManager}.
     *
     * @param registry where this driver keeps its pools
     */
    public PooledDriver(PoolRegistry registry) {
        this.registry = registry;
    }

    /** @return the registry behind the driver that {@link DriverManager} uses */
    public static PoolRegistry registry() {
        return DEFAULT_REGISTRY;
    }

    /**
     * Borrows a connection.
     *
     * @param url {@code jdbc:pooled:<driver URL without jdbc:>}
     * @param info properties; {@code pooled.*} entries are pool settings, the rest go to the delegate driver;
     *        never changed; may be {@code null}
     * @return a pooled connection, or {@code null} if the URL does not start with {@code jdbc:pooled:}
     * @throws InvalidPooledUrlException (HY024 / 08001) for bad settings, a conflicting pool or no delegate driver
     * @throws PoolCredentialsMismatchException (28000) if the pool was started with another password
     * @throws dev.pooled.PoolStartException if the pool's first connection fails (the driver's SQLState)
     * @throws dev.pooled.PoolQueueFullException (08004) if the wait queue is full
     * @throws dev.pooled.PoolAcquireTimeoutException (08001) if no connection came within {@code timeout_ms}
     * @throws dev.pooled.PoolClosedException (08003) if the registry or pool is closed
     * @throws SQLException if {@code url} is {@code null}
     */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null) {
            throw new SQLException("url is null", "08001");
        }
        if (!url.startsWith(PooledRequest.PREFIX)) {
            return null;
        }
        return registry.connect(url, info);
    }

    /**
     * @param url a JDBC URL
     * @return whether it starts with {@code jdbc:pooled:}
     * @throws SQLException if {@code url} is {@code null}
     */
    @Override
    public boolean acceptsURL(String url) throws SQLException {
        if (url == null) {
            throw new SQLException("url is null", "08001");
        }
        return url.startsWith(PooledRequest.PREFIX);
    }

    /** @return one entry per {@code pooled.*} setting, with its current value when the URL or info has one */
    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        PoolConfig config = acceptsURL(url) ? PooledRequest.parse(url, info, null, false).config()
                : PoolConfig.ofDefaults();
        var values = config.asMap();
        DriverPropertyInfo[] out = new DriverPropertyInfo[PoolConfig.KEYS.size()];
        for (int i = 0; i < out.length; i++) {
            String key = PoolConfig.KEYS.get(i);
            out[i] = new DriverPropertyInfo(PooledRequest.KEY_PREFIX + key, values.get(key));
            out[i].required = false;
            if (key.equals(PoolConfig.MODE)) {
                out[i].choices = new String[] {"session", "transaction"};
            } else if (key.equals(PoolConfig.PIN_POLICY)) {
                out[i].choices = new String[] {"allow", "reject"};
            }
        }
        return out;
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** @return {@code false}: compliance is the delegate driver's */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getLogger("dev.pooled");
    }

    @Override
    public String toString() {
        return "PooledDriver[" + registry + "]";
    }
}
