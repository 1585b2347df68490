package dev.pooled.jdbc;

import static dev.pooled.jdbc.Servers.queryLong;
import static dev.pooled.jdbc.Servers.queryString;
import static dev.pooled.jdbc.Servers.txStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolAcquireTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Transaction mode ({@code pooled.mode=transaction}) against a real MariaDB on loopback, through Connector/J. */
@Timeout(90)
class TransactionModeMysqlIT {
    private final String service = Servers.tag("mytx");

    @BeforeAll
    static void schema() throws SQLException {
        Servers.ensureMysqlUser();
        try (Connection c = Servers.mysqlAdmin(); Statement st = c.createStatement()) {
            st.execute("create database if not exists pooled_it_other");
            st.execute("create table if not exists pooled_tx_counter(id int primary key, n bigint not null)"
                    + " engine=innodb");
        }
    }

    @AfterEach
    void closePools() {
        Servers.closePools(service);
    }

    private String url(String extra) {
        return "jdbc:pooled:" + Servers.MYSQL.substring("jdbc:".length()) + "?user=" + Servers.MYSQL_USER
                + "&password=it-pw&pooled.mode=transaction&pooled.service=" + service
                + (extra.isEmpty() ? "" : "&" + extra);
    }

    private static long connectionId(Connection c) throws SQLException {
        return queryLong(c, "select connection_id()");
    }


    @Test
    void twoHundredLogicalConnectionsShareFivePhysicalOnesAndEveryTransactionCounts() throws Exception {
        int threads = 200;
        int txPerThread = 20;
        int rows = 10;
        try (Connection admin = Servers.mysqlAdmin(); Statement st = admin.createStatement()) {
            st.execute("delete from pooled_tx_counter");
            for (int i = 0; i < rows; i++) {
                st.execute("insert into pooled_tx_counter values (" + i + ", 0)");
            }
        }
        String u = url("pooled.max_connections=5&pooled.max_queue=1000&pooled.timeout_ms=30000");
        CountDownLatch allOpen = new CountDownLatch(threads);
        AtomicInteger committed = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        for (int t = 0; t < threads; t++) {
            int row = t % rows;
            Thread w = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(u)) {
                    c.setAutoCommit(false);
                    allOpen.countDown();
                    allOpen.await(20, TimeUnit.SECONDS);
                    try (PreparedStatement lock = c.prepareStatement(
                            "select n from pooled_tx_counter where id = ? for update");
                            PreparedStatement inc = c.prepareStatement(
                                    "update pooled_tx_counter set n = ? where id = ?");
                            PreparedStatement read = c.prepareStatement(
                                    "select n from pooled_tx_counter where id = ?")) {
                        for (int i = 0; i < txPerThread && !stop.get() && System.nanoTime() < deadline; i++) {
                            lock.setInt(1, row);
                            long before;
                            try (ResultSet rs = lock.executeQuery()) {
                                rs.next();
                                before = rs.getLong(1);
                            }
                            inc.setLong(1, before + 1);
                            inc.setInt(2, row);
                            assertThat(inc.executeUpdate()).isEqualTo(1);
                            read.setInt(1, row);
                            try (ResultSet rs = read.executeQuery()) {
                                rs.next();
                                assertThat(rs.getLong(1)).isEqualTo(before + 1);
                            }
                            c.commit();
                            committed.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                }
            }, "tx-worker-" + t);
            workers.add(w);
            w.start();
        }
        int maxSeen = 0;
        while (workers.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
            maxSeen = Math.max(maxSeen, Servers.mysqlSessions());
        }
        for (Thread w : workers) {
            w.join(TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadline - System.nanoTime())) + 1_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(committed.get()).isEqualTo(threads * txPerThread);
        assertThat(maxSeen).isBetween(1, 5);
        try (Connection admin = Servers.mysqlAdmin()) {
            assertThat(queryLong(admin, "select sum(n) from pooled_tx_counter")).isEqualTo(threads * txPerThread);
        }
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        TransactionModeStats s = txStats(pool);
        assertThat(s.bindings()).isEqualTo(threads * txPerThread);
        assertThat(s.totalPins()).isZero();
    }

    @Test
    void userAndSessionVariablesPinAndAreNeverSeenByAnotherLogicalConnection() throws Exception {
        String u = url("pooled.max_connections=2");
        try (Connection pinned = DriverManager.getConnection(u); Connection other = DriverManager.getConnection(u)) {
            try (Statement st = pinned.createStatement()) {
                st.execute("SET @pooled_v = 'mine'");
                st.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
            }
            long id = connectionId(pinned);
            for (int i = 0; i < 5; i++) {
                assertThat(queryString(pinned, "select @pooled_v")).isEqualTo("mine");
                assertThat(connectionId(pinned)).isEqualTo(id);
                assertThat(queryString(other, "select @@session.sql_mode")).doesNotContain("ANSI_QUOTES");
                assertThat(connectionId(other)).isNotEqualTo(id);
            }
            assertThat(txStats(Servers.pool(service)).pins()).containsEntry(PinReason.USER_VARIABLE, 1L);
        }
    }

    @Test
    void theNextUserOfAPinnedPhysicalConnectionFindsItReset() throws Exception {
        String u = url("pooled.max_connections=1");
        long id;
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            st.execute("SET @pooled_v = 42");
            st.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
            st.execute("CREATE TEMPORARY TABLE pooled_tx_tmp(x int)");
            st.execute("PREPARE pooled_s FROM 'select 1'");
            st.execute("USE pooled_it_other");
            assertThat(queryLong(c, "select get_lock('pooled_tx_lock', 1)")).isEqualTo(1);
            id = connectionId(c);
        }
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            assertThat(connectionId(c)).as("reset (COM_RESET_CONNECTION), not closed").isEqualTo(id);
            assertThat(queryString(c, "select @pooled_v")).isNull();
            assertThat(queryString(c, "select @@session.sql_mode")).doesNotContain("ANSI_QUOTES");
            assertThat(queryString(c, "select database()")).isEqualTo("test");
            assertThatThrownBy(() -> st.executeQuery("select * from pooled_tx_tmp"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1146));
            assertThatThrownBy(() -> st.execute("EXECUTE pooled_s"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1243));
        }
        try (Connection admin = Servers.mysqlAdmin()) {
            assertThat(queryLong(admin, "select is_free_lock('pooled_tx_lock')")).isEqualTo(1);
        }
        TransactionModeStats s = txStats(Servers.pool(service));
        // the second one pinned too: reading a user variable pins (select @pooled_v)
        assertThat(s.fullResets()).isEqualTo(2);
        assertThat(s.evictions()).isZero();
    }

    @Test
    void aTemporaryTableIsInvisibleToEveryOtherLogicalConnection() throws Exception {
        String u = url("pooled.max_connections=3");
        try (Connection owner = DriverManager.getConnection(u)) {
            try (Statement st = owner.createStatement()) {
                st.execute("create temporary table pooled_tx_mine(x int)");
                st.execute("insert into pooled_tx_mine values (1), (2)");
            }
            assertThat(queryLong(owner, "select count(*) from pooled_tx_mine")).isEqualTo(2);
            for (int i = 0; i < 5; i++) {
                try (Connection other = DriverManager.getConnection(u)) {
                    assertThatThrownBy(() -> queryLong(other, "select count(*) from pooled_tx_mine"))
                            .isInstanceOfSatisfying(SQLException.class,
                                    e -> assertThat(e.getErrorCode()).isEqualTo(1146));
                }
            }
        }
    }

    @Test
    void pinPolicyRejectRefusesPinningStatementsBeforeSendingThem() throws Exception {
        String u = url("pooled.max_connections=1&pooled.pin_policy=reject");
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("SET @v = 1"))
                    .isInstanceOfSatisfying(PinRejectedException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getErrorCode()).isEqualTo(1010);
                        assertThat(e.reason()).isEqualTo(PinReason.USER_VARIABLE);
                    });
            assertThatThrownBy(() -> st.executeQuery("select get_lock('x', 1)"))
                    .isInstanceOfSatisfying(PinRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(PinReason.ADVISORY_LOCK));
            assertThatThrownBy(() -> st.execute("lock tables pooled_tx_counter read"))
                    .isInstanceOf(PinRejectedException.class);
            assertThat(queryLong(c, "select 1")).isEqualTo(1);
        }
        assertThat(txStats(Servers.pool(service)).totalRejectedPins()).isEqualTo(3);
    }

    @Test
    void anAutoCommitResultSetKeepsItsConnectionUntilClosedOrReadToTheEnd() throws Exception {
        String u = url("pooled.max_connections=1&pooled.timeout_ms=200");
        ConnectionPool pool;
        try (Connection a = DriverManager.getConnection(u); Connection b = DriverManager.getConnection(u)) {
            pool = Servers.pool(service);
            Statement st = a.createStatement();
            ResultSet rs = st.executeQuery("select 1 union all select 2 union all select 3");
            assertThat(rs.next()).isTrue();
            assertThat(pool.active()).isEqualTo(1);
            assertThatThrownBy(() -> queryLong(b, "select 1")).isInstanceOf(PoolAcquireTimeoutException.class);
            rs.close();
            assertThat(pool.active()).isZero();
            ResultSet all = st.executeQuery("select 1 union all select 2");
            while (all.next()) {
                assertThat(all.getInt(1)).isPositive();
            }
            assertThat(pool.active()).isZero();
            ResultSet forgotten = a.createStatement().executeQuery("select 1 union all select 2");
            assertThat(forgotten.next()).isTrue();
            assertThat(pool.active()).isEqualTo(1);
        }
        assertThat(pool.active()).isZero();
    }

    @Test
    void preparedStatementsWorkAcrossTransactionsWithClientAndServerSidePrepares() throws Exception {
        for (String extra : new String[] {"", "useServerPrepStmts=true"}) {
            String u = url("pooled.max_connections=1" + (extra.isEmpty() ? "" : "&" + extra));
            try (Connection a = DriverManager.getConnection(u)) {
                a.setAutoCommit(false);
                PreparedStatement ps = a.prepareStatement("select ? * 2");
                for (int i = 0; i < 5; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(i * 2);
                    }
                    a.commit();
                    if (i == 2) {
                        try (Connection b = DriverManager.getConnection(u); Statement st = b.createStatement()) {
                            st.execute("SET @x = 1"); // pins, then resets the only physical connection
                        }
                    }
                }
                ps.close();
            }
            Servers.closePools(service);
        }
    }

    @Test
    void serverSidePreparedStatementCachesAreNeverReusedAfterAReset() throws Exception {
        // Connector/J keeps cached server statement handles across COM_RESET_CONNECTION, which drops them on the
        // server: such a connection is closed instead of reset. (With pooled.reset=always every transaction would
        // end so; minimal resets only after the SET below.)
        String u = url("pooled.max_connections=1&pooled.reset=minimal&useServerPrepStmts=true&cachePrepStmts=true");
        try (Connection a = DriverManager.getConnection(u)) {
            for (int i = 0; i < 3; i++) {
                try (PreparedStatement ps = a.prepareStatement("select ? + 1")) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    }
                }
                try (Connection b = DriverManager.getConnection(u); Statement st = b.createStatement()) {
                    st.execute("SET @x = 1");
                }
            }
        }
        assertThat(txStats(Servers.pool(service)).evictions()).isEqualTo(3);
    }

    @Test
    void jdbcStateSetOnTheLogicalConnectionFollowsItToEveryPhysicalConnection() throws Exception {
        String u = url("pooled.max_connections=1");
        try (Connection c = DriverManager.getConnection(u)) {
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setCatalog("pooled_it_other");
            c.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                assertThat(queryString(c, "select @@session.tx_isolation")).isEqualTo("SERIALIZABLE");
                assertThat(queryString(c, "select database()")).isEqualTo("pooled_it_other");
                c.commit();
                try (Connection other = DriverManager.getConnection(u)) {
                    assertThat(queryString(other, "select @@session.tx_isolation")).isEqualTo("REPEATABLE-READ");
                    assertThat(queryString(other, "select database()")).isEqualTo("test");
                    assertThat(queryLong(other, "select @@session.autocommit")).isEqualTo(1);
                }
            }
            assertThat(c.getCatalog()).isEqualTo("pooled_it_other");
        }
        assertThat(txStats(Servers.pool(service)).totalPins()).isZero();
    }
}
