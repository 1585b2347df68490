package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.ErrorCode;
import dev.pooled.Instrumentation;
import dev.pooled.PoolAcquireTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.NonTransientDataAccessResourceException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;

/**
 * Issue 10 §2: a statement on a live logical connection (transaction mode) that cannot get a physical connection in
 * time fails with "retry the transaction, the connection is fine" ({@link BindFailedException}, 40001), judged by the
 * real clients that read SQLStates: HikariCP in front of our data source, and Spring's exception translators.
 */
@Timeout(60)
class TransactionModeErrorsIT {
    private final String app = Servers.tag("tx-errors");
    private PooledDataSource ds;
    private HikariDataSource outer;

    @AfterEach
    void close() {
        if (outer != null) {
            outer.close();
        }
        if (ds != null) {
            ds.close();
        }
    }

    private PooledDataSource pooled() throws SQLException {
        ds = PooledDataSource.builder().url(Servers.PG + "?ApplicationName=" + app).user("postgres")
                .set("service", app).set("mode", "transaction").set("max_connections", "1")
                .set("timeout_ms", "200").set("sizing", "fixed")
                .instrumentation(Instrumentation.builder().jmx(false).build()).build();
        // The one physical connection is open before the test starts holding it (a loaded machine may take longer
        // than timeout_ms to open it).
        await().atMost(30, TimeUnit.SECONDS).until(() -> ds.pool().physicalConnections() == 1);
        return ds;
    }

    /** Holds the pool's only physical connection: an auto-commit result set not read to the end keeps it bound. */
    private static ResultSet holdPhysical(Connection c) throws SQLException {
        ResultSet rs = c.createStatement().executeQuery("select g from generate_series(1, 3) g");
        assertThat(rs.next()).isTrue();
        return rs;
    }

    private static long selectOne(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aBindTimeoutSaysRetryTheTransactionNotConnectionDead() throws Exception {
        pooled();
        try (Connection holder = ds.getConnection(); Connection c = ds.getConnection()) {
            ResultSet held = holdPhysical(holder);
            assertThatThrownBy(() -> selectOne(c)).isInstanceOfSatisfying(BindFailedException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("40001").doesNotStartWith("08");
                assertThat(e.getErrorCode()).isEqualTo(ErrorCode.BIND_FAILED.vendorCode());
                assertThat((Throwable) e).isInstanceOf(SQLTransientException.class)
                        .isNotInstanceOf(SQLTransientConnectionException.class);
                assertThat(e.reason()).isEqualTo(ErrorCode.ACQUIRE_TIMEOUT);
                assertThat(e.getCause()).isInstanceOf(PoolAcquireTimeoutException.class);
            });
            held.close();
            assertThat(c.isClosed()).isFalse();
            assertThat(selectOne(c)).as("the same logical connection works once a physical one is free").isEqualTo(1);
        }
        // getConnection() itself keeps the 08 family: nothing was handed out there.
        assertThat(ErrorCode.ACQUIRE_TIMEOUT.sqlState()).isEqualTo("08001");
    }

    @Test
    void logicalStatementsReportTheirLatencyToTheThrottle() throws Exception {
        pooled();
        try (Connection c = ds.getConnection()) {
            for (int i = 0; i < 20; i++) {
                selectOne(c);
            }
        }
        // The throttle's recent window (0.5-2 s) holds the statements just run.
        await().atMost(2, TimeUnit.SECONDS).until(() -> ds.stats().statementLatencyMicros() > 0);
        assertThat(ds.stats().statementLatencyMicros()).as("mean statement latency, us").isLessThan(1_000_000);
    }

    @Test
    void hikariCpInFrontOfUsKeepsTheConnectionAfterABindTimeout() throws Exception {
        pooled();
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setPoolName(app + "-outer");
        hc.setMaximumPoolSize(1);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(5_000);
        outer = new HikariDataSource(hc);
        Connection logical;
        try (Connection holder = ds.getConnection(); Connection c = outer.getConnection()) {
            logical = c.unwrap(Connection.class);
            ResultSet held = holdPhysical(holder);
            assertThatThrownBy(() -> selectOne(c)).isInstanceOf(BindFailedException.class);
            held.close();
            // HikariCP swaps a connection it judged broken for a closed one at once: every later call would fail.
            assertThat(c.isClosed()).isFalse();
            assertThat(selectOne(c)).isEqualTo(1);
        }
        try (Connection again = outer.getConnection()) {
            assertThat(again.unwrap(Connection.class)).as("HikariCP recycled, not replaced, our connection")
                    .isSameAs(logical);
            assertThat(selectOne(again)).isEqualTo(1);
        }
        assertThat(logical.isClosed()).isFalse();
    }

    @Test
    void springTranslatorsDoNotCallABindTimeoutAConnectionFailure() throws Exception {
        pooled();
        SQLException bindTimeout;
        try (Connection holder = ds.getConnection(); Connection c = ds.getConnection()) {
            ResultSet held = holdPhysical(holder);
            try {
                selectOne(c);
                throw new AssertionError("expected a bind timeout");
            } catch (BindFailedException e) {
                bindTimeout = e;
            }
            held.close();
        }
        SQLExceptionTranslator[] translators = {new SQLErrorCodeSQLExceptionTranslator(ds),
            new SQLErrorCodeSQLExceptionTranslator("PostgreSQL"), new SQLErrorCodeSQLExceptionTranslator("MySQL"),
            new SQLErrorCodeSQLExceptionTranslator("MariaDB"), new SQLStateSQLExceptionTranslator(),
            new SQLExceptionSubclassTranslator()};
        for (SQLExceptionTranslator t : translators) {
            DataAccessException dae = t.translate("select", "select 1", bindTimeout);
            assertThat(dae).as("%s", t.getClass().getSimpleName()).isNotNull()
                    .isInstanceOf(TransientDataAccessException.class)
                    .isNotInstanceOf(DataAccessResourceFailureException.class)
                    .isNotInstanceOf(TransientDataAccessResourceException.class)
                    .isNotInstanceOf(NonTransientDataAccessResourceException.class)
                    .isNotInstanceOf(CannotGetJdbcConnectionException.class);
        }
    }
}
