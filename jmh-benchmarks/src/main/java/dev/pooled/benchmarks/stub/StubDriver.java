package dev.pooled.benchmarks.stub;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver for {@code jdbc:stub:} URLs that does no I/O: every connection is a {@link StubConnection}. It lets a
 * benchmark measure pool code alone. Registered with {@link DriverManager} when the class loads, and through
 * {@code META-INF/services/java.sql.Driver}; {@link #register()} forces the class to load.
 */
public final class StubDriver implements Driver {
    /** The prefix this driver accepts. */
    public static final String PREFIX = "jdbc:stub:";

    private static final StubDriver INSTANCE = new StubDriver();

    static {
        try {
            DriverManager.registerDriver(INSTANCE);
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** For {@link java.util.ServiceLoader}. */
    public StubDriver() {
    }

    /** Makes sure the driver is registered with {@link DriverManager} (loading the class does it). */
    public static void register() {
        // The static initializer has run by the time this body runs.
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null) {
            throw new SQLException("url is null", "08001");
        }
        return url.startsWith(PREFIX) ? new StubConnection() : null;
    }

    @Override
    public boolean acceptsURL(String url) throws SQLException {
        if (url == null) {
            throw new SQLException("url is null", "08001");
        }
        return url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("the stub driver does not log");
    }
}
