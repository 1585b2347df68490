package dev.pooled.jdbc;

import static dev.pooled.jdbc.Servers.queryString;
import static dev.pooled.jdbc.Servers.txStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.ErrorCode;
import dev.pooled.PoolAcquireTimeoutException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;

/** Transaction mode ({@code pooled.mode=transaction}) against a real PostgreSQL on loopback. */
@Timeout(90)
class TransactionModePostgresIT {
    private final String service = Servers.tag("pgtx");
    private final String app = service;
    private final List<String> services = new ArrayList<>(List.of(service));

    @BeforeAll
    static void schema() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("create schema if not exists pooled_tx_other");
            st.execute("create table if not exists pooled_tx_counter(id int primary key, n bigint not null)");
            st.execute("create table if not exists pooled_tx_items(id serial primary key, v text)");
        }
    }

    @AfterEach
    void closePools() {
        for (String s : services) {
            Servers.closePools(s);
        }
    }

    private String url(String extra) {
        return Servers.pgPooled(app, "pooled.service=" + service + "&pooled.mode=transaction"
                + (extra.isEmpty() ? "" : "&" + extra));
    }

    private static int pid(Connection c) throws SQLException {
        return queryInt(c, "select pg_backend_pid()");
    }

    private static int queryInt(Connection c, String sql) throws SQLException {
        return Math.toIntExact(Servers.queryLong(c, sql));
    }


    @Test
    void twoHundredLogicalConnectionsShareFivePhysicalOnesAndEveryTransactionCounts() throws Exception {
        int threads = 200;
        int txPerThread = 20;
        int rows = 10;
        try (Connection admin = Servers.pgAdmin(); Statement st = admin.createStatement()) {
            st.execute("delete from pooled_tx_counter");
            st.execute("insert into pooled_tx_counter select g, 0 from generate_series(0, " + (rows - 1) + ") g");
        }
        String u = url("pooled.max_connections=5&pooled.max_queue=1000&pooled.timeout_ms=30000");
        CountDownLatch allOpen = new CountDownLatch(threads);
        AtomicInteger committed = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        for (int t = 0; t < threads; t++) {
            int row = t % rows;
            Thread w = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(u)) {
                    c.setAutoCommit(false);
                    allOpen.countDown();
                    allOpen.await(20, TimeUnit.SECONDS); // every logical connection is open at once
                    try (PreparedStatement inc = c.prepareStatement(
                            "update pooled_tx_counter set n = n + 1 where id = ? returning n");
                            PreparedStatement read = c.prepareStatement(
                                    "select n from pooled_tx_counter where id = ?")) {
                        for (int i = 0; i < txPerThread && !stop.get() && System.nanoTime() < deadline; i++) {
                            inc.setInt(1, row);
                            long written;
                            try (ResultSet rs = inc.executeQuery()) {
                                rs.next();
                                written = rs.getLong(1);
                            }
                            read.setInt(1, row);
                            try (ResultSet rs = read.executeQuery()) {
                                rs.next();
                                // the same transaction, so the same physical connection: it sees its own write
                                assertThat(rs.getLong(1)).isEqualTo(written);
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
            maxSeen = Math.max(maxSeen, Servers.pgSessions(app));
        }
        for (Thread w : workers) {
            w.join(TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadline - System.nanoTime())) + 1_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(committed.get()).isEqualTo(threads * txPerThread);
        assertThat(maxSeen).isBetween(1, 5);
        try (Connection admin = Servers.pgAdmin()) {
            assertThat(queryInt(admin, "select sum(n) from pooled_tx_counter")).isEqualTo(threads * txPerThread);
        }
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        assertThat(pool.physicalConnections()).isBetween(1, 5);
        TransactionModeStats s = txStats(pool);
        assertThat(s.bindings()).isEqualTo(threads * txPerThread);
        assertThat(s.totalPins()).isZero();
        assertThat(s.fullResets()).isZero();
        assertThat(s.openNow()).isZero();
    }

    @Test
    void setSearchPathPinsTheConnectionAndNoOtherLogicalConnectionEverSeesIt() throws Exception {
        String u = url("pooled.max_connections=2&pooled.timeout_ms=5000");
        try (Connection pinned = DriverManager.getConnection(u); Connection other = DriverManager.getConnection(u)) {
            try (Statement st = pinned.createStatement()) {
                st.execute("SET search_path = pooled_tx_other, public");
            }
            int pinnedPid = pid(pinned);
            for (int i = 0; i < 10; i++) {
                assertThat(queryString(pinned, "select current_schema()")).isEqualTo("pooled_tx_other");
                assertThat(pid(pinned)).as("pinned: the same physical connection every time").isEqualTo(pinnedPid);
                assertThat(queryString(other, "select current_schema()")).isEqualTo("public");
                assertThat(pid(other)).isNotEqualTo(pinnedPid);
            }
            ConnectionPool pool = Servers.pool(service);
            assertThat(pool.active()).as("the pinned one stays bound, the other went back").isEqualTo(1);
            TransactionModeStats s = txStats(pool);
            assertThat(s.pins()).containsEntry(PinReason.SESSION_SETTING, 1L);
            assertThat(s.pinnedNow()).isEqualTo(1);
        }
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        assertThat(txStats(pool).fullResets()).isEqualTo(1);
        assertThat(txStats(pool).pinnedNow()).isZero();
    }

    @Test
    void theNextUserOfAPinnedPhysicalConnectionFindsItsDefaultState() throws Exception {
        String u = url("pooled.max_connections=1&pooled.timeout_ms=5000");
        int pinnedPid;
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            st.execute("set search_path = pooled_tx_other");
            st.execute("set statement_timeout = 1234");
            st.execute("select set_config('application_name', 'changed-by-sql', false)");
            st.execute("set role postgres");
            st.execute("prepare leftover as select 1");
            st.execute("listen pooled_tx_channel");
            st.execute("select pg_advisory_lock(424242)");
            st.execute("create temp table pooled_tx_tmp(x int)");
            st.execute("declare held cursor with hold for select 1");
            pinnedPid = pid(c);
        }
        try (Connection c = DriverManager.getConnection(u)) {
            // LISTEN makes the old physical connection close rather than be reset: notifications it queued must
            // never reach anyone else. So this is a fresh session; either way it must look brand new.
            assertThat(pid(c)).isNotEqualTo(pinnedPid);
            assertThat(queryString(c, "select current_schema()")).isEqualTo("public");
            assertThat(queryString(c, "show statement_timeout")).isEqualTo("0");
            assertThat(queryString(c, "select current_setting('application_name')")).isEqualTo(app);
            assertThat(queryInt(c, "select count(*) from pg_prepared_statements where from_sql")).isZero();
            assertThat(queryInt(c, "select count(*) from pg_listening_channels()")).isZero();
            assertThat(queryInt(c, "select count(*) from pg_cursors where is_holdable")).isZero();
        }
        try (Connection admin = Servers.pgAdmin()) {
            assertThat(queryInt(admin, "select count(*) from pg_locks where locktype = 'advisory' and objid = 424242"))
                    .as("the advisory lock went with the session").isZero();
        }
        // Without LISTEN the same physical connection is reset with DISCARD ALL and reused.
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            st.execute("set search_path = pooled_tx_other");
            st.execute("set application_name = 'changed-again'");
            st.execute("select pg_advisory_lock(424243)");
            st.execute("create temp table pooled_tx_tmp2(x int)");
            st.execute("declare held2 cursor with hold for select 1");
            pinnedPid = pid(c);
        }
        try (Connection c = DriverManager.getConnection(u)) {
            assertThat(pid(c)).as("reset and reused").isEqualTo(pinnedPid);
            assertThat(queryString(c, "select current_schema()")).isEqualTo("public");
            assertThat(queryString(c, "select current_setting('application_name')")).as("back to its start-up value")
                    .isEqualTo(app);
            assertThat(queryInt(c, "select count(*) from pg_locks where locktype = 'advisory'"
                    + " and pid = pg_backend_pid()")).isZero();
            assertThat(queryInt(c, "select count(*) from pg_cursors where is_holdable")).isZero();
            assertThatThrownBy(() -> queryInt(c, "select count(*) from pooled_tx_tmp2"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42P01"));
        }
        TransactionModeStats s = txStats(Servers.pool(service));
        assertThat(s.evictions()).isEqualTo(1);
        assertThat(s.fullResets()).isEqualTo(1);
        assertThat(s.totalPins()).isEqualTo(2);
    }

    @Test
    void aTemporaryTableIsInvisibleToEveryOtherLogicalConnection() throws Exception {
        String u = url("pooled.max_connections=3");
        try (Connection owner = DriverManager.getConnection(u)) {
            try (Statement st = owner.createStatement()) {
                st.execute("create temp table pooled_tx_mine(x int)");
                st.execute("insert into pooled_tx_mine values (1), (2)");
            }
            assertThat(queryInt(owner, "select count(*) from pooled_tx_mine")).isEqualTo(2);
            for (int i = 0; i < 5; i++) {
                try (Connection other = DriverManager.getConnection(u)) {
                    assertThatThrownBy(() -> queryInt(other, "select count(*) from pooled_tx_mine"))
                            .isInstanceOfSatisfying(SQLException.class,
                                    e -> assertThat(e.getSQLState()).isEqualTo("42P01"));
                }
            }
            assertThat(txStats(Servers.pool(service)).pins()).containsEntry(PinReason.TEMPORARY_TABLE, 1L);
        }
        // ON COMMIT DROP inside a transaction pins nothing
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("create temp table pooled_tx_scratch(x int) on commit drop");
            st.execute("insert into pooled_tx_scratch values (1)");
            c.commit();
            assertThat(Servers.pool(service).active()).isZero();
        }
        assertThat(txStats(Servers.pool(service)).totalPins()).isEqualTo(1);
    }

    @Test
    void pinPolicyRejectRefusesPinningStatementsBeforeSendingThem() throws Exception {
        String u = url("pooled.max_connections=1&pooled.pin_policy=reject");
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("SET search_path = pooled_tx_other"))
                    .isInstanceOfSatisfying(PinRejectedException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("0A000");
                        assertThat(e.getErrorCode()).isEqualTo(1010);
                        assertThat(e.errorCode()).isEqualTo(ErrorCode.PIN_REJECTED);
                        assertThat(e.reason()).isEqualTo(PinReason.SESSION_SETTING);
                        assertThat(e.getMessage()).contains(service + "/postgres", "pin_policy=reject",
                                "session_setting", "SET LOCAL", "nothing was sent");
                    });
            assertThatThrownBy(() -> st.executeQuery("select pg_advisory_lock(1)"))
                    .isInstanceOfSatisfying(PinRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(PinReason.ADVISORY_LOCK));
            assertThatThrownBy(() -> c.prepareStatement("listen x").execute())
                    .isInstanceOf(PinRejectedException.class);
            assertThatThrownBy(() -> c.unwrap(PGConnection.class)).isInstanceOf(PinRejectedException.class);
            assertThat(queryString(c, "select current_schema()")).isEqualTo("public");
            // the transaction-scoped forms are fine
            c.setAutoCommit(false);
            st.execute("SET LOCAL search_path = pooled_tx_other");
            st.execute("select pg_advisory_xact_lock(1)");
            assertThat(queryString(c, "select current_schema()")).isEqualTo("pooled_tx_other");
            c.commit();
            assertThat(queryString(c, "select current_schema()")).isEqualTo("public");
            c.commit();
        }
        TransactionModeStats s = txStats(Servers.pool(service));
        assertThat(s.totalPins()).isZero();
        assertThat(s.rejectedPins()).containsEntry(PinReason.SESSION_SETTING, 1L)
                .containsEntry(PinReason.ADVISORY_LOCK, 1L).containsEntry(PinReason.LISTEN, 1L)
                .containsEntry(PinReason.UNWRAP, 1L);
    }

    @Test
    void anAutoCommitResultSetKeepsItsConnectionUntilClosedOrReadToTheEnd() throws Exception {
        String u = url("pooled.max_connections=1&pooled.timeout_ms=200");
        ConnectionPool pool;
        try (Connection a = DriverManager.getConnection(u); Connection b = DriverManager.getConnection(u)) {
            pool = Servers.pool(service);
            Statement st = a.createStatement();
            ResultSet rs = st.executeQuery("select g from generate_series(1, 3) g");
            assertThat(rs.next()).isTrue();
            assertThat(pool.active()).as("an open result set holds the connection").isEqualTo(1);
            assertThatThrownBy(() -> queryInt(b, "select 1"))
                    .isInstanceOfSatisfying(BindFailedException.class, e -> {
                        assertThat(e.getMessage()).contains("timeout_ms=200");
                        assertThat(e.getSQLState()).isEqualTo("40001");
                        assertThat(e.getCause()).isInstanceOf(PoolAcquireTimeoutException.class);
                    });
            rs.close();
            assertThat(pool.active()).isZero();
            assertThat(queryInt(b, "select 1")).isEqualTo(1);

            ResultSet all = st.executeQuery("select g from generate_series(1, 3) g");
            int n = 0;
            while (all.next()) {
                n++;
            }
            assertThat(n).isEqualTo(3);
            assertThat(pool.active()).as("read to the end: given back without close()").isZero();
            assertThat(all.next()).isFalse();
            assertThat(all.isAfterLast()).isTrue();
            all.close();

            assertThat(st.executeUpdate("update pooled_tx_counter set n = n where id = -1")).isZero();
            assertThat(pool.active()).as("an update holds nothing after it returns").isZero();
            assertThat(st.getUpdateCount()).isZero();

            ResultSet forgotten = a.createStatement().executeQuery("select g from generate_series(1, 3) g");
            assertThat(forgotten.next()).isTrue();
            assertThat(pool.active()).isEqualTo(1);
        }
        assertThat(pool.active()).as("a forgotten result set is released when its connection closes").isZero();
    }

    @Test
    void preparedStatementsWorkAcrossTransactionsAndPgjdbcServerPreparesSurviveDiscardAll() throws Exception {
        // One physical connection for everyone, server-side prepares from the first execution.
        String u = url("pooled.max_connections=1&prepareThreshold=1");
        try (Connection a = DriverManager.getConnection(u)) {
            a.setAutoCommit(false);
            PreparedStatement twice = a.prepareStatement("select ?::int * 2");
            for (int i = 0; i < 5; i++) {
                twice.setInt(1, i);
                try (ResultSet rs = twice.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(i * 2);
                }
                a.commit();
            }
            assertThat(queryInt(a, "select count(*) from pg_prepared_statements where not from_sql"))
                    .as("pgjdbc prepared it on the server").isPositive();
            a.commit();
            // Another logical connection pins and closes: its physical connection (the only one) gets DISCARD ALL,
            // which drops pgjdbc's server-side statements too.
            try (Connection b = DriverManager.getConnection(u); Statement st = b.createStatement()) {
                st.execute("prepare mine as select 42");
                st.execute("set search_path = pooled_tx_other");
            }
            for (int i = 5; i < 10; i++) {
                twice.setInt(1, i);
                try (ResultSet rs = twice.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("pgjdbc noticed DISCARD ALL and prepared again").isEqualTo(i * 2);
                }
                a.commit();
            }
            assertThat(queryInt(a, "select count(*) from pg_prepared_statements where from_sql"))
                    .as("the other connection's PREPARE is gone").isZero();
            a.commit();

            // batches and generated keys, re-prepared per transaction
            PreparedStatement insert = a.prepareStatement("insert into pooled_tx_items(v) values (?)",
                    Statement.RETURN_GENERATED_KEYS);
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 3; i++) {
                    insert.setString(1, "r" + round + "-" + i);
                    insert.addBatch();
                }
                assertThat(insert.executeBatch()).containsExactly(1, 1, 1);
                a.commit();
            }
            a.setAutoCommit(true);
            insert.setString(1, "single");
            assertThat(insert.executeUpdate()).isEqualTo(1);
            assertThat(Servers.pool(service).active()).as("keys not read yet: still held").isEqualTo(1);
            try (ResultSet keys = insert.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getInt(1)).isPositive();
            }
            assertThat(Servers.pool(service).active()).isZero();
            insert.close();
            twice.close();
        }
    }

    @Test
    void jdbcStateSetOnTheLogicalConnectionFollowsItToEveryPhysicalConnection() throws Exception {
        String u = url("pooled.max_connections=1");
        try (Connection c = DriverManager.getConnection(u)) {
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setSchema("pooled_tx_other");
            c.setClientInfo("ApplicationName", "logical-app");
            c.setAutoCommit(false);
            c.setReadOnly(true);
            for (int i = 0; i < 3; i++) {
                assertThat(queryString(c, "select current_setting('transaction_isolation')")).isEqualTo("serializable");
                assertThat(queryString(c, "select current_setting('transaction_read_only')")).isEqualTo("on");
                assertThat(queryString(c, "select current_schema()")).isEqualTo("pooled_tx_other");
                assertThat(queryString(c, "select current_setting('application_name')")).isEqualTo("logical-app");
                c.commit();
                assertThat(Servers.pool(service).active()).isZero();
                try (Connection other = DriverManager.getConnection(u)) {
                    assertThat(queryString(other, "select current_setting('transaction_isolation')"))
                            .isEqualTo("read committed");
                    assertThat(queryString(other, "select current_setting('transaction_read_only')")).isEqualTo("off");
                    assertThat(queryString(other, "select current_schema()")).isEqualTo("public");
                    assertThat(queryString(other, "select current_setting('application_name')")).isEqualTo(app);
                    assertThat(other.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
                }
            }
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
            assertThat(c.isReadOnly()).isTrue();
            assertThat(c.getSchema()).isEqualTo("pooled_tx_other");
            assertThat(c.getAutoCommit()).isFalse();
        }
        assertThat(txStats(Servers.pool(service)).totalPins()).isZero();
    }

    @Test
    void savepointsMetadataSqlTransactionsAndUnwrapKeepTheirJdbcMeaning() throws Exception {
        String u = url("pooled.max_connections=2");
        String tag = Servers.tag("sp");
        int unwrappedPid;
        try (Connection c = DriverManager.getConnection(u)) {
            ConnectionPool pool = Servers.pool(service);
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("insert into pooled_tx_items(v) values (?)")) {
                ins.setString(1, tag + "-kept");
                ins.executeUpdate();
                Savepoint sp = c.setSavepoint();
                ins.setString(1, tag + "-undone");
                ins.executeUpdate();
                c.rollback(sp);
                c.commit();
                assertThatThrownBy(() -> c.rollback(sp)).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).isEqualTo("3B001"));
            }
            c.setAutoCommit(true);
            assertThat(queryInt(c, "select count(*) from pooled_tx_items where v like '" + tag + "%'")).isEqualTo(1);

            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getConnection()).isSameAs(c);
            assertThat(md.getDatabaseProductName()).isEqualTo("PostgreSQL");
            try (ResultSet tables = md.getTables(null, "public", "pooled_tx_items", null)) {
                assertThat(pool.active()).isEqualTo(1);
                assertThat(tables.next()).isTrue();
                assertThat(tables.getString("TABLE_NAME")).isEqualTo("pooled_tx_items");
            }
            assertThat(pool.active()).isZero();

            // BEGIN/COMMIT sent as SQL in auto-commit mode: the connection is held in between
            try (Statement st = c.createStatement()) {
                st.execute("begin");
                st.executeUpdate("insert into pooled_tx_items(v) values ('" + tag + "-sql')");
                assertThat(pool.active()).isEqualTo(1);
                st.execute("commit");
                assertThat(pool.active()).isZero();
            }

            assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
            assertThat(pool.active()).isZero();
            PGConnection pg = c.unwrap(PGConnection.class);
            unwrappedPid = pg.getBackendPID();
            assertThat(unwrappedPid).isEqualTo(pid(c));
            assertThat(txStats(pool).pins()).containsEntry(PinReason.UNWRAP, 1L);
        }
        TransactionModeStats s = txStats(Servers.pool(service));
        assertThat(s.evictions()).as("an unwrapped physical connection is closed, not reused").isEqualTo(1);
        assertThat(Servers.pool(service).active()).isZero();
        try (Connection admin = Servers.pgAdmin()) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> queryInt(admin,
                    "select count(*) from pg_stat_activity where pid = " + unwrappedPid) == 0);
        }
    }

    @Test
    void aPhysicalConnectionNeverServesAnotherTenant() throws Exception {
        try (Connection admin = Servers.pgAdmin(); Statement st = admin.createStatement()) {
            for (String role : new String[] {"pooled_tx_tenant_a", "pooled_tx_tenant_b"}) {
                st.execute("do $$ begin create role " + role + " login; exception when duplicate_object then null;"
                        + " end $$");
            }
        }
        String serviceB = Servers.tag("pgtx-b");
        services.add(serviceB);
        String base = "jdbc:pooled:" + Servers.PG.substring("jdbc:".length()) + "?ApplicationName=" + app
                + "&pooled.mode=transaction&pooled.max_connections=2";
        String ua = base + "&user=pooled_tx_tenant_a&pooled.service=" + service;
        String ub = base + "&user=pooled_tx_tenant_b&pooled.service=" + serviceB;
        Set<Integer> pidsA = ConcurrentHashMap.newKeySet();
        Set<Integer> pidsB = ConcurrentHashMap.newKeySet();
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                open.add(DriverManager.getConnection(ua));
                open.add(DriverManager.getConnection(ub));
            }
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < open.size(); i++) {
                    Connection c = open.get(i);
                    boolean isA = i % 2 == 0;
                    assertThat(queryString(c, "select current_user"))
                            .isEqualTo(isA ? "pooled_tx_tenant_a" : "pooled_tx_tenant_b");
                    (isA ? pidsA : pidsB).add(pid(c));
                }
            }
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
        assertThat(pidsA).hasSizeBetween(1, 2);
        assertThat(pidsB).hasSizeBetween(1, 2);
        Set<Integer> both = new HashSet<>(pidsA);
        both.retainAll(pidsB);
        assertThat(both).as("no physical connection served both tenants").isEmpty();
    }

    @Test
    void aLogicalConnectionWhosePhysicalConnectionDiesCarriesOnWithANewOne() throws Exception {
        String u = url("pooled.max_connections=1");
        try (Connection c = DriverManager.getConnection(u)) {
            c.setAutoCommit(false);
            int first = pid(c);
            try (Connection admin = Servers.pgAdmin(); Statement st = admin.createStatement()) {
                st.execute("select pg_terminate_backend(" + first + ")");
            }
            assertThatThrownBy(() -> queryInt(c, "select 1")).isInstanceOf(SQLException.class);
            try {
                c.rollback();
            } catch (SQLException e) {
                // the connection is gone; the transaction with it
            }
            ConnectionPool pool = Servers.pool(service);
            await().atMost(10, TimeUnit.SECONDS).until(() -> pool.active() == 0);
            assertThat(pid(c)).isNotEqualTo(first);
            c.commit();
            assertThat(pool.active()).isZero();
        }
    }

    @Test
    void closingThePoolDrainsBindingsAndRefusesNewLogicalConnections() throws Exception {
        String u = url("pooled.max_connections=2");
        Connection c = DriverManager.getConnection(u);
        assertThat(queryInt(c, "select 1")).isEqualTo(1);
        ConnectionPool pool = Servers.pool(service);
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.active() == 0);
        PooledDriver.registry().remove(pool, java.time.Duration.ofSeconds(5));
        assertThatThrownBy(() -> queryInt(c, "select 1")).isInstanceOf(dev.pooled.PoolClosedException.class);
        c.close();
        assertThat(c.isClosed()).isTrue();
        assertThatThrownBy(c::createStatement).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("08003"));
    }
}
