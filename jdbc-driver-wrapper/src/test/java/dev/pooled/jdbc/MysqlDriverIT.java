package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The driver against a real MariaDB on loopback, through MySQL Connector/J. */
@Timeout(120)
class MysqlDriverIT {
    private final String service = Servers.tag("my");

    @BeforeAll
    static void createUser() throws SQLException {
        Servers.ensureMysqlUser();
    }

    @AfterEach
    void closePools() {
        Servers.closePools(service);
    }

    private String url(String extra) {
        return "jdbc:pooled:" + Servers.MYSQL.substring("jdbc:".length()) + "?user=" + Servers.MYSQL_USER
                + "&password=it-pw&pooled.service=" + service + (extra.isEmpty() ? "" : "&" + extra);
    }

    private static long connectionId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select connection_id()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void queriesWorkRepeatedCallsReuseOnePoolAndTheServerNeverSeesMoreThanTheLimit() throws Exception {
        String u = url("pooled.max_connections=3&pooled.max_queue=100&pooled.timeout_ms=10000");
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select 40 + 2")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        // A worker's AssertionError dies with its thread unless collected: the test fails on every one of them.
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < 12; t++) {
            Thread w = new Thread(() -> {
                for (int i = 0; i < 400 && !stop.get(); i++) {
                    try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
                        st.execute("do sleep(0.002)");
                        done.incrementAndGet();
                    } catch (SQLException e) {
                        throw new AssertionError(e);
                    }
                }
            });
            w.setUncaughtExceptionHandler((thread, e) -> failures.add(e));
            workers.add(w);
            w.start();
        }
        int maxSeen = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end) {
            maxSeen = Math.max(maxSeen, Servers.mysqlSessions());
        }
        stop.set(true);
        for (Thread w : workers) {
            w.join(20_000);
            assertThat(w.isAlive()).as("worker finished").isFalse();
        }
        assertThat(failures).as("worker failures").isEmpty();
        assertThat(done.get()).isPositive();
        assertThat(maxSeen).isBetween(1, 3);
        assertThat(PooledDriver.registry().pools().stream().filter(p -> p.config().service().equals(service)))
                .hasSize(1);
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.mysqlSessions() == 3);
    }

    @Test
    void stateOneBorrowerChangedIsNotSeenByTheNext() throws Exception {
        try (Connection admin = Servers.mysqlAdmin(); Statement st = admin.createStatement()) {
            st.execute("create database if not exists pooled_it_other");
        }
        String u = url("pooled.max_connections=1");
        long id;
        try (Connection c = DriverManager.getConnection(u)) {
            id = connectionId(c);
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setReadOnly(true);
            c.setCatalog("pooled_it_other");
        }
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            assertThat(connectionId(c)).as("the same physical connection").isEqualTo(id);
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(c.isReadOnly()).isFalse();
            try (ResultSet rs = st.executeQuery("select database(), @@session.tx_isolation, @@session.autocommit,"
                    + " @@session.tx_read_only")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("test");
                assertThat(rs.getString(2)).isEqualTo("REPEATABLE-READ");
                assertThat(rs.getInt(3)).isEqualTo(1);
                assertThat(rs.getInt(4)).isZero();
            }
        }
    }
}
