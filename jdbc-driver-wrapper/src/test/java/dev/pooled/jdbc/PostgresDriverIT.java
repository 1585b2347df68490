package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.ErrorCode;
import dev.pooled.PoolAcquireTimeoutException;
import dev.pooled.PoolClosedException;
import dev.pooled.PoolQueueFullException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The driver against a real PostgreSQL on loopback. */
@Timeout(120)
class PostgresDriverIT {
    private final String service = Servers.tag("pg");
    private final String app = service;

    @AfterEach
    void closePools() {
        Servers.closePools(service);
    }

    private String url(String extra) {
        return Servers.pgPooled(app, "pooled.service=" + service + (extra.isEmpty() ? "" : "&" + extra));
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void queriesWorkAndRepeatedCallsReuseOnePool() throws Exception {
        String u = url("pooled.max_connections=3");
        for (int i = 0; i < 20; i++) {
            try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select 40 + 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        Properties p = new Properties();
        p.setProperty("pooled.max_queue", "200");
        try (Connection c = DriverManager.getConnection(u, p)) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(PooledDriver.registry().pools().stream().filter(x -> x.config().service().equals(service)))
                .hasSize(1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.pgSessions(app) == 3);
    }

    @Test
    void theServerNeverSeesMoreThanMaxConnectionsUnderFourTimesAsManyThreads() throws Exception {
        String u = url("pooled.max_connections=3&pooled.max_queue=100&pooled.timeout_ms=10000");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        // A worker's AssertionError dies with its thread unless collected: the test fails on every one of them.
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < 12; t++) {
            Thread w = new Thread(() -> {
                for (int i = 0; i < 400 && !stop.get(); i++) {
                    try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
                        st.execute("select pg_sleep(0.002)");
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
            maxSeen = Math.max(maxSeen, Servers.pgSessions(app));
        }
        stop.set(true);
        for (Thread w : workers) {
            w.join(20_000);
            assertThat(w.isAlive()).as("worker finished").isFalse();
        }
        assertThat(failures).as("worker failures").isEmpty();
        assertThat(done.get()).isPositive();
        assertThat(maxSeen).isBetween(1, 3);
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        assertThat(pool.queued()).isZero();
    }

    @Test
    void aFullQueueRejectsInUnderFiveMillisecondsNamingPoolLimitAndQueue() throws Exception {
        String u = url("pooled.max_connections=1&pooled.max_queue=1&pooled.timeout_ms=10000");
        try (Connection held = DriverManager.getConnection(u)) {
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try (Connection c = DriverManager.getConnection(u)) {
                    assertThat(c.isValid(1)).isTrue();
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            }, r -> new Thread(r).start());
            ConnectionPool pool = Servers.pool(service);
            await().atMost(5, TimeUnit.SECONDS).until(() -> pool.queued() == 1);
            // Timed through the driver itself: after a driver throws, DriverManager goes on to ask every other
            // registered driver, and the first time MySQL Connector/J is asked it spends ~10 ms initialising.
            java.sql.Driver driver = DriverManager.getDriver(u);
            assertThat((Throwable) rejection(u)).isInstanceOf(PoolQueueFullException.class);
            for (int attempt = 0; attempt < 3; attempt++) {
                long t0 = System.nanoTime();
                SQLException e = rejection(driver, u);
                long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
                assertThat(micros).isLessThan(5_000);
                assertThat((Throwable) e).isInstanceOf(PoolQueueFullException.class);
                assertThat(e.getSQLState()).isEqualTo("08004");
                assertThat(e.getErrorCode()).isEqualTo(1001);
                assertThat(e.getMessage()).contains(service + "/postgres", "queue full", "max_queue=1", "limit=1");
            }
            held.close();
            waiter.get(5, TimeUnit.SECONDS);
        }
    }

    private static SQLException rejection(java.sql.Driver driver, String u) {
        try {
            driver.connect(u, null).close();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected a rejection");
    }

    private static SQLException rejection(String u) {
        try {
            DriverManager.getConnection(u).close();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected a rejection");
    }

    @Test
    void aWaiterTimesOutWithinTimeoutPlusFiftyMilliseconds() throws Exception {
        String u = url("pooled.max_connections=1&pooled.max_queue=5&pooled.timeout_ms=300");
        try (Connection held = DriverManager.getConnection(u)) {
            assertThat(held.isValid(1)).isTrue();
            long t0 = System.nanoTime();
            SQLException e = rejection(u);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).isBetween(300L, 350L);
            assertThat((Throwable) e).isInstanceOf(PoolAcquireTimeoutException.class);
            assertThat(e.getSQLState()).isEqualTo("08001");
            assertThat(((PoolAcquireTimeoutException) e).errorCode()).isEqualTo(ErrorCode.ACQUIRE_TIMEOUT);
            assertThat(e.getMessage()).contains("timeout_ms=300", "limit=1");
        }
    }

    @Test
    void waitersAreServedByPriorityThenArrival() throws Exception {
        String base = url("pooled.max_connections=1&pooled.max_queue=10&pooled.timeout_ms=20000");
        List<String> served = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> waiters = new ArrayList<>();
        try (Connection held = DriverManager.getConnection(base)) {
            ConnectionPool pool = Servers.pool(service);
            String[] names = {"low-1", "high-1", "low-2", "mid", "high-2"};
            int[] prios = {1, 9, 1, 5, 9};
            for (int i = 0; i < names.length; i++) {
                String name = names[i];
                String u = base + "&pooled.priority=" + prios[i];
                waiters.add(CompletableFuture.runAsync(() -> {
                    try (Connection c = DriverManager.getConnection(u)) {
                        served.add(name);
                    } catch (SQLException e) {
                        throw new AssertionError(e);
                    }
                }, r -> new Thread(r).start()));
                int expected = i + 1;
                await().atMost(5, TimeUnit.SECONDS).until(() -> pool.queued() == expected);
            }
        }
        CompletableFuture.allOf(waiters.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
        assertThat(served).containsExactly("high-1", "high-2", "mid", "low-1", "low-2");
    }

    @Test
    void stateOneBorrowerChangedIsNotSeenByTheNext() throws Exception {
        try (Connection admin = Servers.pgAdmin(); Statement st = admin.createStatement()) {
            st.execute("create schema if not exists pooled_it_other");
        }
        String u = url("pooled.max_connections=1");
        int pid;
        try (Connection c = DriverManager.getConnection(u)) {
            pid = backendPid(c);
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setReadOnly(true);
            c.setSchema("pooled_it_other");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_schema()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("pooled_it_other");
            }
        }
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            assertThat(backendPid(c)).as("the same physical connection").isEqualTo(pid);
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(c.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            assertThat(c.isReadOnly()).isFalse();
            try (ResultSet rs = st.executeQuery("select current_schema(), current_setting('transaction_isolation'),"
                    + " current_setting('transaction_read_only')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("public");
                assertThat(rs.getString(2)).isEqualTo("read committed");
                assertThat(rs.getString(3)).isEqualTo("off");
            }
            st.execute("create temp table if not exists pooled_it_t(x int)");
        }
    }

    @Test
    void anUncommittedTransactionIsRolledBackBeforeTheNextBorrower() throws Exception {
        try (Connection admin = Servers.pgAdmin(); Statement st = admin.createStatement()) {
            st.execute("create table if not exists pooled_it_rollback(id text primary key)");
        }
        String u = url("pooled.max_connections=1");
        String id = Servers.tag("row");
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("insert into pooled_it_rollback values ('" + id + "')");
        }
        try (Connection c = DriverManager.getConnection(u); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pooled_it_rollback where id = '" + id + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void aConnectionTheServerKilledGivesItsPermitBackAndIsReplaced() throws Exception {
        String u = url("pooled.max_connections=1&pooled.timeout_ms=3000");
        int pid;
        try (Connection c = DriverManager.getConnection(u)) {
            pid = backendPid(c);
            try (Connection admin = Servers.pgAdmin(); Statement st = admin.createStatement()) {
                st.execute("select pg_terminate_backend(" + pid + ")");
            }
            // HikariCP sees SQLState 08xxx and evicts the physical connection without recycling it
            assertThatThrownBy(() -> {
                try (Statement st = c.createStatement()) {
                    st.execute("select 1");
                }
            }).isInstanceOf(SQLException.class);
        }
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        try (Connection c = DriverManager.getConnection(u)) {
            assertThat(backendPid(c)).isNotEqualTo(pid);
        }
    }

    @Test
    void badSettingsAreListedTogetherAndNoPasswordLeaks() {
        String u = url("password=s3cret-pw&pooled.max_connections=0&pooled.timeout_ms=abc&pooled.frobnicate=1");
        assertThatThrownBy(() -> DriverManager.getConnection(u))
                .isInstanceOfSatisfying(InvalidPooledUrlException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("HY024");
                    assertThat(e.getMessage()).contains("pooled.max_connections=0", "pooled.timeout_ms=abc",
                            "pooled.frobnicate=1: is not a known setting").doesNotContain("s3cret-pw");
                });
        assertThatThrownBy(() -> DriverManager.getConnection(url("pooled.pin_policy=reject")))
                .hasMessageContaining("pooled.pin_policy=reject: must be allow unless mode=transaction");
    }

    @Test
    void aUrlNoDriverAcceptsIsRejectedClearly() {
        assertThatThrownBy(() -> DriverManager.getConnection(
                "jdbc:pooled:nosuchdb://127.0.0.1/x?password=s3cret-pw"))
                .isInstanceOfSatisfying(InvalidPooledUrlException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.NO_DELEGATE_DRIVER);
                    assertThat(e.getSQLState()).isEqualTo("08001");
                    assertThat(e.getMessage()).contains("no JDBC driver on the class path accepts jdbc:nosuchdb:")
                            .doesNotContain("s3cret-pw");
                });
    }

    @Test
    void aRequestWithAnotherPasswordOrOtherSettingsForTheSamePoolFailsClosed() throws Exception {
        String u = url("pooled.max_connections=2");
        Properties first = new Properties();
        first.setProperty("password", "first-pw");
        DriverManager.getConnection(u, first).close();
        Properties other = new Properties();
        other.setProperty("password", "other-pw");
        assertThatThrownBy(() -> DriverManager.getConnection(u, other))
                .isInstanceOfSatisfying(PoolCredentialsMismatchException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("28000");
                    assertThat(e.getMessage()).doesNotContain("first-pw").doesNotContain("other-pw");
                });
        Properties bigger = new Properties();
        bigger.setProperty("password", "first-pw");
        bigger.setProperty("pooled.max_connections", "5");
        assertThatThrownBy(() -> DriverManager.getConnection(u, bigger))
                .isInstanceOfSatisfying(InvalidPooledUrlException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.POOL_CONFLICT);
                    assertThat(e.getMessage()).contains("pooled.max_connections=2 (this request asks for 5)")
                            .doesNotContain("first-pw");
                });
    }

    @Test
    void closingThePoolWakesWaitersRefusesNewcomersAndClosesSessionsAsTheyReturn() throws Exception {
        String u = url("pooled.max_connections=2&pooled.max_queue=5&pooled.timeout_ms=20000");
        Connection a = DriverManager.getConnection(u);
        Connection b = DriverManager.getConnection(u);
        ConnectionPool pool = Servers.pool(service);
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                DriverManager.getConnection(u).close();
                return null;
            } catch (SQLException e) {
                return e;
            }
        }, r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.queued() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> pool.close(Duration.ofSeconds(30)),
                r -> new Thread(r).start());
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(() -> pool.getConnection()).isInstanceOf(PoolClosedException.class);
        try (Statement st = a.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
            assertThat(rs.next()).as("borrowed connections keep working while the pool drains").isTrue();
        }
        a.close();
        await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.pgSessions(app) == 1);
        b.close();
        closing.get(10, TimeUnit.SECONDS);
        await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.pgSessions(app) == 0);
        // the driver notices and starts a fresh pool for the next request
        try (Connection c = DriverManager.getConnection(u)) {
            assertThat(c.isValid(1)).isTrue();
        }
    }

    @Test
    void permitsPoolAndServerSessionsBalanceAfterRandomTimeoutsAndForeignCloses() throws Exception {
        int max = 4;
        String u = url("pooled.max_connections=" + max + "&pooled.max_queue=6&pooled.timeout_ms=40");
        AtomicInteger served = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Connection> handedOver = new CopyOnWriteArrayList<>();
        List<Exception> unexpected = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        for (int t = 0; t < 16; t++) {
            Thread w = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < 5_000 && System.nanoTime() < end; i++) {
                    try {
                        Connection c = DriverManager.getConnection(u);
                        served.incrementAndGet();
                        try (Statement st = c.createStatement()) {
                            st.execute(rnd.nextInt(5) == 0 ? "select pg_sleep(0.005)" : "select 1");
                        }
                        if (rnd.nextInt(3) == 0) {
                            handedOver.add(c); // closed by the closer thread below
                        } else {
                            c.close();
                        }
                    } catch (PoolQueueFullException | PoolAcquireTimeoutException e) {
                        refused.incrementAndGet();
                    } catch (SQLException | RuntimeException e) {
                        unexpected.add(e); // a dying worker would otherwise only print it
                        return;
                    }
                }
            });
            threads.add(w);
            w.start();
        }
        AtomicBoolean workersDone = new AtomicBoolean();
        Thread closer = new Thread(() -> {
            while (!workersDone.get() || !handedOver.isEmpty()) {
                for (Connection c : handedOver) {
                    handedOver.remove(c);
                    try {
                        c.close();
                    } catch (SQLException | RuntimeException e) {
                        unexpected.add(e);
                    }
                }
                Thread.onSpinWait();
            }
        });
        closer.start();
        for (Thread w : threads) {
            w.join(30_000);
        }
        workersDone.set(true);
        closer.join(30_000);
        assertThat(unexpected).isEmpty();
        assertThat(served.get()).isPositive();
        assertThat(refused.get()).isPositive();
        ConnectionPool pool = Servers.pool(service);
        assertThat(pool.active()).isZero();
        assertThat(pool.queued()).isZero();
        assertThat(pool.physicalConnections()).isBetween(1, max);
        assertThat(Servers.pgSessions(app)).isEqualTo(pool.physicalConnections());
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            all.add(DriverManager.getConnection(u));
        }
        assertThat(Servers.pgSessions(app)).isEqualTo(max);
        for (Connection c : all) {
            c.close();
        }
    }
}
