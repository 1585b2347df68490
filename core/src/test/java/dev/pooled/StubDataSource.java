package dev.pooled;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** Physical connections that do nothing, for pool mechanics. Counts opens and closes. */
final class StubDataSource implements DataSource {
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    volatile boolean failing;
    /** The SQLState of the failure while {@link #failing}: 08001 (down) by default. */
    volatile String failState = "08001";
    /** How long opening a connection takes: a slow or hanging database. */
    volatile long openDelayMillis;

    @Override
    public Connection getConnection() throws SQLException {
        if (failing) {
            throw new SQLException("stub database is down", failState);
        }
        long delay = openDelayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while connecting", "08001", e);
            }
        }
        opened.incrementAndGet();
        boolean[] isClosed = {false};
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            if (!isClosed[0]) {
                                isClosed[0] = true;
                                closed.incrementAndGet();
                            }
                            return null;
                        case "isClosed":
                            return isClosed[0];
                        case "isValid":
                        case "getAutoCommit":
                            return true;
                        case "getTransactionIsolation":
                            return Connection.TRANSACTION_READ_COMMITTED;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        case "toString":
                            return "StubConnection";
                        default:
                            Class<?> r = method.getReturnType();
                            if (r == boolean.class) {
                                return false;
                            }
                            if (r == int.class) {
                                return 0;
                            }
                            if (r == long.class) {
                                return 0L;
                            }
                            return null;
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    private volatile int loginTimeout;

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) {
        return null;
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
