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
 */
public final class DriverDataSource implements DataSource, dev.pooled.PhysicalConnections {
    private final Driver driver;
    private final String url;
    private final String redactedUrl;
    private final Properties properties;
    private volatile int loginTimeoutSeconds;
    /** Replaces the password on each connect when an extension rotates credentials; {@code null} = the given one. */
    private volatile java.util.function.Supplier<String> passwordSource;

    /**
     * @param driver the driver that accepts {@code url}
     * @param url the delegate URL
     * @param properties given to every connect; this object keeps its own copy
     */
    public DriverDataSource(Driver driver, String url, Properties properties) {
        this.driver = driver;
        this.url = url;
        this.redactedUrl = Redaction.url(url);
        this.properties = new Properties();
        this.properties.putAll(properties);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = driver.connect(url, withPassword(properties));
        if (c == null) {
            throw new SQLException("driver " + driver.getClass().getName() + " did not accept " + redactedUrl, "08001");
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
        return "DriverDataSource[" + redactedUrl + ", user=" + properties.getProperty("user") + "]";
    }
}
