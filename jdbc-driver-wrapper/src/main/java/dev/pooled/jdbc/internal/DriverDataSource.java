package dev.pooled.jdbc.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Opens physical connections through the delegate driver, for HikariCP. Holds the password; its
 * {@code toString()} shows only the redacted URL and the user.
 *
 * <p>The login timeout ({@link #setLoginTimeout}: HikariCP sets it from its connection timeout) bounds every
 * connect, including a server that accepts TCP and then never answers. JDBC has no per-connect timeout, so it is
 * given to the drivers we know as their own properties, unless the caller set them: pgjdbc {@code connectTimeout}
 * and {@code socketTimeout} (seconds), MySQL and MariaDB Connector/J {@code connectTimeout} and
 * {@code socketTimeout} (milliseconds). The socket timeout covers the login handshake; once connected it is put
 * back to none with {@link Connection#setNetworkTimeout}, so statements are not cut by it. Other drivers get no
 * timeout from us (their own URL properties apply).
 */
public final class DriverDataSource implements DataSource, dev.pooled.PhysicalConnections {
    private final Driver driver;
    private final String url;
    private final String redactedUrl;
    private final Properties properties;
    /** 1 for seconds (pgjdbc), 1000 for milliseconds (Connector/J), 0 when the driver's timeouts are unknown. */
    private final int timeoutUnit;
    /** Whether the caller set the driver's socket timeout (then it is theirs, and stays after connect). */
    private final boolean ownSocketTimeout;
    /** The properties with the login timeout applied; replaced whole when the timeout changes. */
    private volatile Properties effective;
    private volatile int loginTimeoutSeconds;
    /** Replaces the password on each connect when an extension rotates credentials; {@code null} = the given one. */
    private volatile java.util.function.Supplier<String> passwordSource;

    /**
     * @param driver the driver that accepts {@code url}
     * @param url the delegate URL
     * @param properties given to every connect; this object keeps its own copy
     * @param loginTimeoutSeconds the login timeout until {@link #setLoginTimeout} sets another; 0 = none
     */
    public DriverDataSource(Driver driver, String url, Properties properties, int loginTimeoutSeconds) {
        this.driver = driver;
        this.url = url;
        this.redactedUrl = Redaction.forMessage(url);
        this.properties = new Properties();
        this.properties.putAll(properties);
        String u = url.toLowerCase(java.util.Locale.ROOT);
        this.timeoutUnit = u.startsWith("jdbc:postgresql:") ? 1
                : u.startsWith("jdbc:mysql:") || u.startsWith("jdbc:mariadb:") ? 1000 : 0;
        this.ownSocketTimeout = this.properties.getProperty("socketTimeout") != null
                || u.contains("sockettimeout=");
        setLoginTimeout(loginTimeoutSeconds);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties p = effective;
        Connection c = driver.connect(url, withPassword(p));
        if (c == null) {
            throw new SQLException("driver " + driver.getClass().getName() + " did not accept " + redactedUrl, "08001");
        }
        if (p != properties && !ownSocketTimeout) {
            try {
                // The socket timeout was for the handshake only: a statement may run as long as it needs.
                c.setNetworkTimeout(Runnable::run, 0);
            } catch (SQLException | RuntimeException e) {
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e instanceof SQLException ? (SQLException) e
                        : new SQLException("could not clear the login socket timeout", "08001", e);
            }
        }
        return c;
    }

    /** A rotated password goes into a copy: the properties other connects share are never changed. */
    private Properties withPassword(Properties p) throws SQLException {
        java.util.function.Supplier<String> source = passwordSource;
        if (source == null) {
            return p;
        }
        String pw;
        try {
            pw = source.get();
        } catch (RuntimeException e) {
            throw new SQLException("cannot read the pool's rotated credential: " + e.getMessage(), "08001", e);
        }
        Properties copy = new Properties();
        copy.putAll(p);
        copy.setProperty("password", pw);
        return copy;
    }

    @Override
    public void passwordSource(java.util.function.Supplier<String> source) {
        this.passwordSource = source;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a pool's physical connections all use the pool's own user");
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
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
        if (seconds <= 0 || timeoutUnit == 0) {
            effective = properties;
            return;
        }
        Properties p = new Properties();
        p.putAll(properties);
        String value = Long.toString((long) seconds * timeoutUnit);
        boolean inUrl = url.toLowerCase(java.util.Locale.ROOT).contains("connecttimeout=");
        if (p.getProperty("connectTimeout") == null && !inUrl) {
            p.setProperty("connectTimeout", value);
        }
        if (!ownSocketTimeout) {
            p.setProperty("socketTimeout", value);
        }
        effective = p;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("java.util.logging is not used");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "DriverDataSource[" + redactedUrl + ", user=" + Redaction.value(properties.getProperty("user")) + "]";
    }
}
