package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.PoolListener;
import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leak guard and transaction timing against a real PostgreSQL. */
@Timeout(60)
class LeakGuardIT {
    private final String app = Servers.tag("leak");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private PooledDataSource ds;

    @BeforeAll
    static void table() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("create table if not exists pooled_it_leak(id text primary key)");
        }
    }

    @AfterEach
    void close() {
        if (ds != null) {
            ds.close();
        }
    }

    private PooledDataSource start(String... settings) throws SQLException {
        PoolListener listener = new PoolListener() {
            @Override
            public void leaked(String pool, Duration held, Throwable borrowerStack, boolean reclaimed) {
                StringBuilder sb = new StringBuilder(reclaimed ? "reclaimed " : "leaked ");
                for (StackTraceElement e : borrowerStack.getStackTrace()) {
                    sb.append(e.getMethodName()).append(' ');
                }
                leaks.add(sb.toString());
            }
        };
        PooledDataSource.Builder b = PooledDataSource.builder()
                .url(Servers.PG + "?ApplicationName=" + app).user("postgres")
                .set("service", app).set("max_connections", "1").set("timeout_ms", "3000")
                .instrumentation(Instrumentation.builder().meterRegistry(registry).listener(listener).jmx(false)
                        .build());
        for (int i = 0; i < settings.length; i += 2) {
            b.set(settings[i], settings[i + 1]);
        }
        ds = b.build();
        return ds;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean backendAlive(int pid) throws SQLException {
        try (Connection c = Servers.pgAdmin();
                PreparedStatement ps = c.prepareStatement("select count(*) from pg_stat_activity where pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private Connection borrowAndForget() throws SQLException {
        return ds.getConnection();
    }

    @Test
    void aLeakIsReportedOnceWithTheBorrowersStack() throws Exception {
        start("leak_threshold_ms", "2000");
        Connection c = borrowAndForget();
        await().atMost(6, TimeUnit.SECONDS).until(() -> ds.stats().leaksDetected() == 1);
        await().during(Duration.ofMillis(800)).atMost(3, TimeUnit.SECONDS)
                .until(() -> ds.stats().leaksDetected() == 1);
        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0)).startsWith("leaked ").contains("borrowAndForget");
        assertThat(registry.get(MetricNames.LEAKS_DETECTED).functionCounter().count()).isEqualTo(1);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
            assertThat(rs.next()).as("a reported leak keeps working").isTrue();
        }
        c.close();
        assertThat(ds.stats().leaksReclaimed()).isZero();
    }

    @Test
    void aZombieIdleInTransactionIsReclaimedAndItsBorrowerToldSo() throws Exception {
        start("leak_threshold_ms", "2000", "leak_reclaim_ms", "2500");
        String id = Servers.tag("zombie");
        Connection zombie = borrowAndForget();
        int pid = pid(zombie);
        zombie.setAutoCommit(false);
        try (Statement st = zombie.createStatement()) {
            st.execute("insert into pooled_it_leak values ('" + id + "')");
        }
        await().atMost(8, TimeUnit.SECONDS).until(() -> ds.stats().leaksReclaimed() == 1);
        await().atMost(5, TimeUnit.SECONDS).until(() -> !backendAlive(pid));
        // capacity is back: with max_connections=1 a new borrower is served
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pooled_it_leak where id = '" + id + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the zombie's transaction was rolled back").isZero();
            assertThat(pid(c)).isNotEqualTo(pid);
        }
        assertThatThrownBy(zombie::createStatement).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("08003");
            assertThat(e.getMessage()).contains("reclaimed this connection", "leak_reclaim_ms=2500");
        });
        zombie.close();
        assertThat(zombie.isClosed()).isTrue();
        assertThat(leaks).anyMatch(l -> l.startsWith("reclaimed ") && l.contains("borrowAndForget"));
        assertThat(registry.get(MetricNames.LEAKS_RECLAIMED).functionCounter().count()).isEqualTo(1);
        assertThat(ds.stats().active()).isZero();
    }

    @Test
    void aStatementStillRunningIsNotCutShortUnlessItRunsPastTheReclaimTime() throws Exception {
        start("leak_reclaim_ms", "2000");
        Connection c = borrowAndForget();
        long borrowed = System.nanoTime();
        await().pollDelay(Duration.ofMillis(1200)).atMost(5, TimeUnit.SECONDS).until(() -> true);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_sleep(1.5), 7")) {
            // held past 2000 ms while this ran, but the statement itself ran for less than 2000 ms
            rs.next();
            assertThat(rs.getInt(2)).isEqualTo(7);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - borrowed)).isGreaterThan(2000);
        assertThat(ds.stats().leaksReclaimed()).isZero();
        await().atMost(5, TimeUnit.SECONDS).until(() -> ds.stats().leaksReclaimed() == 1);

        Connection runaway = ds.getConnection();
        assertThatThrownBy(() -> {
            try (Statement st = runaway.createStatement()) {
                st.execute("select pg_sleep(10)");
            }
        }).as("a statement that runs past the reclaim time is reclaimed with it").isInstanceOf(SQLException.class);
        await().atMost(5, TimeUnit.SECONDS).until(() -> ds.stats().leaksReclaimed() == 2);
    }

    @Test
    void transactionsAreTimedAndTheJdbcSurfaceLeadsBackToTheLease() throws Exception {
        start("track_transactions", "true");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("select pg_sleep(0.2)");
                assertThat(st.getConnection()).isSameAs(c);
                try (ResultSet rs = st.executeQuery("select 1")) {
                    assertThat(rs.getStatement()).isSameAs(st);
                }
            }
            c.commit();
            c.setAutoCommit(true);
            DatabaseMetaData md = c.getMetaData();
            assertThat(md.getConnection()).isSameAs(c);
            assertThat(c.isWrapperFor(org.postgresql.PGConnection.class)).isTrue();
            assertThat(c.unwrap(org.postgresql.PGConnection.class)).isNotNull();
            try (Statement st = c.createStatement()) {
                st.execute("select 1"); // auto-commit: not a transaction of its own here
            }
        }
        assertThat(ds.stats().transactionTime().count()).isEqualTo(1);
        assertThat(ds.stats().transactionTime().maxMicros()).isGreaterThanOrEqualTo(190_000);
        assertThat(registry.get(MetricNames.TRANSACTION_TIME).timer().max(TimeUnit.MILLISECONDS))
                .isGreaterThanOrEqualTo(190);
    }
}
