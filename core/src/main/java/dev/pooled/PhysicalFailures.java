package dev.pooled;

import dev.pooled.internal.Breaker;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Decides which physical failures count against the circuit breaker. A failure to open a connection (refused,
 * authentication, network) counts as it happens, on HikariCP's connection-adder thread ({@link #counting}); a borrow
 * that HikariCP failed with a cause counts; a borrow that HikariCP timed out without a cause counts only when the
 * database is to blame ({@link #timeoutCounts}), and never while HikariCP has idle connections (the borrowing
 * thread was starved of CPU, not of connections). Nothing counts while the pool closes. Thread-safe.
 */
final class PhysicalFailures {
    /**
     * A physical acquisition that timed out after less than this was starved by the wait at the gate, not by the
     * database, and does not count against the breaker (one that failed with a cause always counts).
     */
    private static final long MIN_BREAKER_WAIT_MS = 10L;

    private final Breaker breaker;
    private final AtomicBoolean closing;
    /** {@link System#nanoTime()} when a physical connection was last opened; written only when one opens. */
    private volatile long lastOpenedNanos = System.nanoTime();

    PhysicalFailures(Breaker breaker, AtomicBoolean closing) {
        this.breaker = breaker;
        this.closing = closing;
    }

    /** @return {@code physical} as HikariCP should see it: opening failures feed the breaker, successes are noted */
    DataSource counting(DataSource physical) {
        return new CountingDataSource(physical);
    }

    /**
     * Reports a failed borrow from HikariCP to the breaker.
     *
     * @param e HikariCP's error
     * @param hikariTimeoutMillis the time HikariCP was given
     * @param probe whether the borrow was a half-open probe (which reports its own outcome or gives its permission
     *        back)
     * @param probeStart when the probe began, {@link System#nanoTime()}
     * @param idleNow HikariCP's idle connections right after the failure
     */
    void borrowFailed(SQLException e, long hikariTimeoutMillis, boolean probe, long probeStart, int idleNow) {
        boolean counts = !closing.get()
                && (e.getCause() != null || (idleNow == 0 && timeoutCounts(hikariTimeoutMillis)));
        if (probe) {
            if (counts) {
                breaker.probeFailed(System.nanoTime() - probeStart, e);
            } else {
                breaker.releasePermission();
            }
        } else if (counts) {
            breaker.failed(e);
        }
    }

    /**
     * Whether HikariCP timing out without a cause is the database's fault. Not when the wait was too short to tell
     * (the gate used up the caller's time), and not when the database opened a connection during the wait: then the
     * pool was filling (a cold start, a step up in size on a machine where connecting takes longer than
     * {@code timeout_ms}), which is a shortage the gate and the sizing answer, not an outage. A database that stops
     * accepting connections fails their creation (counted as it happens) or hangs it (no connection opens: counted
     * here). The wait's start is derived from the timeout rather than read from the clock on every borrow.
     */
    private boolean timeoutCounts(long hikariTimeoutMillis) {
        if (hikariTimeoutMillis < MIN_BREAKER_WAIT_MS) {
            return false;
        }
        long waitStart = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(hikariTimeoutMillis);
        return lastOpenedNanos - waitStart < 0;
    }

    /** The physical data source as HikariCP sees it. */
    private final class CountingDataSource implements DataSource {
        private final DataSource delegate;

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            try {
                return opened(delegate.getConnection());
            } catch (SQLException e) {
                throw counted(e);
            }
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            try {
                return opened(delegate.getConnection(user, password));
            } catch (SQLException e) {
                throw counted(e);
            }
        }

        private Connection opened(Connection c) {
            lastOpenedNanos = System.nanoTime();
            return c;
        }

        private SQLException counted(SQLException e) {
            if (!closing.get()) {
                breaker.failed(e);
            }
            return e;
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(delegate) ? iface.cast(delegate) : delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(delegate) || delegate.isWrapperFor(iface);
        }
    }
}
