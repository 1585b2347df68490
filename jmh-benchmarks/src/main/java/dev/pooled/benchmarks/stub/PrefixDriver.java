package dev.pooled.benchmarks.stub;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/** The JDBC boilerplate of a benchmark driver that answers one URL prefix; subclasses say what a connect does. */
public abstract class PrefixDriver implements Driver {
    private final String prefix;

    /** @param prefix the URL prefix this driver answers, e.g. {@code jdbc:floor:} */
    protected PrefixDriver(String prefix) {
        this.prefix = prefix;
    }

    /** @return a connection for a URL this driver answers */
    protected abstract Connection open(String url) throws SQLException;

    @Override
    public final Connection connect(String url, Properties info) throws SQLException {
        return url.startsWith(prefix) ? open(url) : null;
    }

    @Override
    public final boolean acceptsURL(String url) {
        return url.startsWith(prefix);
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
        throw new SQLFeatureNotSupportedException();
    }
}
