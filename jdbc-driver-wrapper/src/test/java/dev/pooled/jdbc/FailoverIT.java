package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolAcquireTimeoutException;
import dev.pooled.PoolQueueFullException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 §4, on private servers ({@link PrivateServers}): a PostgreSQL primary stopped and its streaming standby
 * promoted under load, reached through a multi-host URL with {@code targetServerType=primary}; plain restarts of
 * PostgreSQL and MariaDB under load; backends killed. The pool recovers without a restart, and afterwards permits,
 * pool size and server-side sessions balance. Prints the failover figures recorded in {@code docs/benchmarks.md}.
 */
@Timeout(180)
class FailoverIT {
    private final String service = Servers.tag("fo");
    private final String app = service;

    @BeforeAll
    static void servers() throws SQLException {
        PrivateServers.up();
        try (Connection c = PrivateServers.pgAdmin(PrivateServers.PRIMARY); Statement st = c.createStatement()) {
            st.execute("create table if not exists pooled_failover(id bigserial primary key, at timestamptz not null"
                    + " default now(), app text)");
        }
        try (Connection c = PrivateServers.mariadbAdmin(); Statement st = c.createStatement()) {
            for (String host : new String[] {"127.0.0.1", "localhost"}) {
                st.execute("CREATE USER IF NOT EXISTS 'pooled_fo'@'" + host + "' IDENTIFIED BY 'fo-pw'");
                st.execute("GRANT ALL ON test.* TO 'pooled_fo'@'" + host + "'");
            }
        }
    }

    @AfterEach
    void closePools() {
        Servers.closePools(service);
    }

    /** One request's outcome: when it ended and how. */
    record Outcome(long endNanos, int kind) {
        static final int SERVED = 0;
        /** A statement failed on a connection that was already borrowed when the server went away. */
        static final int IN_FLIGHT = 1;
        /** getConnection failed for another reason than running out of time or queue room. */
        static final int REFUSED_WITH_ROOM = 2;
        static final int TIMED_OUT = 3;
        static final int QUEUE_FULL = 4;
    }

    /** Closed-loop load, recording every outcome with its time. */
    private static final class Load implements AutoCloseable {
        final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> refused = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        Load(int n, String url, String sql) {
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(() -> {
                    for (int k = 0; k < 1_000_000 && !stop.get(); k++) {
                        Connection c;
                        try {
                            c = DriverManager.getConnection(url);
                        } catch (PoolAcquireTimeoutException e) {
                            outcomes.add(new Outcome(System.nanoTime(), Outcome.TIMED_OUT));
                            continue;
                        } catch (PoolQueueFullException e) {
                            outcomes.add(new Outcome(System.nanoTime(), Outcome.QUEUE_FULL));
                            continue;
                        } catch (SQLException | RuntimeException e) {
                            refused.add(e);
                            outcomes.add(new Outcome(System.nanoTime(), Outcome.REFUSED_WITH_ROOM));
                            TimeUnitSleep.ms(1);
                            continue;
                        }
                        try (Connection held = c; Statement st = held.createStatement()) {
                            st.execute(sql);
                            outcomes.add(new Outcome(System.nanoTime(), Outcome.SERVED));
                        } catch (SQLException | RuntimeException e) {
                            outcomes.add(new Outcome(System.nanoTime(), Outcome.IN_FLIGHT));
                            TimeUnitSleep.ms(1);
                        }
                    }
                }, "failover-load-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        List<Outcome> sorted() {
            List<Outcome> all = new ArrayList<>(outcomes);
            all.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
            return all;
        }

        long count(int kind) {
            return outcomes.stream().filter(o -> o.kind() == kind).count();
        }

        /** @return served requests per second over [from, to) */
        double rate(long from, long to) {
            long n = outcomes.stream().filter(o -> o.kind() == Outcome.SERVED && o.endNanos() >= from
                    && o.endNanos() < to).count();
            return n / ((to - from) / 1e9);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    private static final class TimeUnitSleep {
        static void ms(long ms) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }

    private static int pgSessions(int port, String app) throws SQLException {
        try (Connection c = PrivateServers.pgAdmin(port); PreparedStatement ps = c.prepareStatement(
                "select count(*) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, app);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int mariadbSessions() throws SQLException {
        try (Connection c = PrivateServers.mariadbAdmin(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from information_schema.processlist"
                        + " where user = 'pooled_fo' and coalesce(db, '') <> 'information_schema'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** After the load stopped: no permit held, nobody queued, and the server holds what the pool holds. */
    private static void assertBalanced(ConnectionPool pool, SessionCount sessions) {
        await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(pool.active()).as("permits held").isZero();
            assertThat(pool.queued()).as("queued").isZero();
            assertThat(sessions.get()).as("server sessions vs the pool's physical connections")
                    .isEqualTo(pool.physicalConnections());
        });
        assertThat(pool.physicalConnections()).isLessThanOrEqualTo(pool.config().maxConnections());
        assertThat(pool.stats().leaksDetected()).isZero();
    }

    interface SessionCount {
        int get() throws SQLException;
    }

    @Test
    void aStoppedPrimaryAndAPromotedStandbyAreServedWithinASecondWithoutFailingQueuedRequests() throws Exception {
        String url = "jdbc:pooled:postgresql://127.0.0.1:" + PrivateServers.PRIMARY + ",127.0.0.1:"
                + PrivateServers.STANDBY + "/test?targetServerType=primary&user=postgres&ApplicationName=" + app
                + "&connectTimeout=2&loginTimeout=3&pooled.service=" + service
                + "&pooled.max_connections=8&pooled.max_queue=100&pooled.timeout_ms=5000";
        DriverManager.getConnection(url).close();
        ConnectionPool pool = Servers.pool(service);
        AtomicLong promotedAt = new AtomicLong();
        // Watches the standby from outside, every 2 ms: the moment it leaves recovery is "promotion".
        Connection watch = PrivateServers.pgAdmin(PrivateServers.STANDBY);
        Thread watcher = new Thread(() -> {
            try (watch; Statement st = watch.createStatement()) {
                for (int i = 0; i < 60_000 && promotedAt.get() == 0; i++) {
                    try (ResultSet rs = st.executeQuery("select pg_is_in_recovery()")) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            promotedAt.set(System.nanoTime());
                        }
                    }
                    TimeUnitSleep.ms(2);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, "promotion-watch");
        watcher.setDaemon(true);
        watcher.start();

        List<String> poolTrace = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean tracing = new AtomicBoolean(true);
        Thread tracer = new Thread(() -> {
            for (int i = 0; i < 2_000 && tracing.get(); i++) {
                poolTrace.add(pool.limit() + "/" + pool.physicalConnections() + "/" + pool.active() + "/"
                        + pool.queued());
                TimeUnitSleep.ms(100);
            }
        }, "failover-trace");
        tracer.setDaemon(true);
        long stoppedAt;
        long stopDone;
        long start;
        Load load;
        try (Load l = new Load(12, url, "insert into pooled_failover(app) values ('" + app + "')")) {
            load = l;
            start = System.nanoTime();
            TimeUnit.SECONDS.sleep(3);
            tracer.start();
            stoppedAt = System.nanoTime();
            PrivateServers.run("pg-stop", String.valueOf(PrivateServers.PRIMARY), "immediate");
            stopDone = System.nanoTime();
            CompletableFuture<String> promote = CompletableFuture.supplyAsync(
                    () -> PrivateServers.run("pg-promote", String.valueOf(PrivateServers.STANDBY)));
            promote.get(60, TimeUnit.SECONDS);
            await().atMost(10, TimeUnit.SECONDS).until(() -> promotedAt.get() != 0);
            TimeUnit.SECONDS.sleep(4);
            System.out.printf(Locale.ROOT, "failover: primary stopped in %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(stopDone - stoppedAt));
        }
        watcher.join(5_000);
        tracing.set(false);
        System.out.println("failover: limit/physical/active/queued every 100 ms from the stop: " + poolTrace);
        long promoted = promotedAt.get();
        List<Outcome> all = load.sorted();
        long firstAfter = all.stream().filter(o -> o.kind() == Outcome.SERVED && o.endNanos() > stopDone)
                .mapToLong(Outcome::endNanos).findFirst().orElse(Long.MAX_VALUE);
        double before = load.rate(start + TimeUnit.SECONDS.toNanos(1), stoppedAt);
        long full = Long.MAX_VALUE;
        for (long t = promoted; t < promoted + TimeUnit.SECONDS.toNanos(4); t += TimeUnit.MILLISECONDS.toNanos(50)) {
            if (load.rate(t, t + TimeUnit.MILLISECONDS.toNanos(250)) >= 0.8 * before) {
                full = t + TimeUnit.MILLISECONDS.toNanos(250);
                break;
            }
        }
        long refusedWithRoom = all.stream().filter(o -> o.kind() == Outcome.REFUSED_WITH_ROOM && o.endNanos() > stoppedAt)
                .count();
        System.out.printf(Locale.ROOT, "failover: stop -> promotion %d ms; promotion -> first successful insert %d ms;"
                + " -> 80%% of the %.0f/s before %d ms; failed at getConnection with queue room and time left: %d;"
                + " timed out: %d; queue full: %d; in flight on the dead server: %d; served %d; pool failovers %d%n",
                TimeUnit.NANOSECONDS.toMillis(promoted - stoppedAt),
                TimeUnit.NANOSECONDS.toMillis(firstAfter - promoted), before,
                full == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(full - promoted), refusedWithRoom,
                load.count(Outcome.TIMED_OUT), load.count(Outcome.QUEUE_FULL), load.count(Outcome.IN_FLIGHT),
                load.count(Outcome.SERVED), pool.reconnectorFailovers());
        load.refused.stream().limit(3).forEach(e -> System.out.println("  refused: " + e));
        StringBuilder buckets = new StringBuilder("failover: served per 100 ms from the stop:");
        for (long t = stoppedAt; t < promoted + TimeUnit.SECONDS.toNanos(2); t += TimeUnit.MILLISECONDS.toNanos(100)) {
            buckets.append(' ').append(Math.round(load.rate(t, t + TimeUnit.MILLISECONDS.toNanos(100)) / 10));
        }
        System.out.println(buckets + " (promotion at +" + TimeUnit.NANOSECONDS.toMillis(promoted - stoppedAt)
                + " ms; pool reconnected " + TimeUnit.NANOSECONDS.toMillis(pool.lastRecoveryNanos())
                + " ms after its first failure signal)");

        assertThat(firstAfter).as("served again after the failover").isLessThan(Long.MAX_VALUE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(firstAfter - promoted)).as("promotion -> first success, ms")
                .isLessThan(1_000);
        assertThat(refusedWithRoom).as("requests refused although the queue had room and time was left").isZero();
        assertThat(load.count(Outcome.TIMED_OUT)).isZero();
        assertThat(load.count(Outcome.IN_FLIGHT)).as("only statements in flight on the dead server fail")
                .isLessThanOrEqualTo(2L * pool.config().maxConnections());
        assertBalanced(pool, () -> pgSessions(PrivateServers.STANDBY, app));
    }

    @Test
    void aPostgresRestartUnderLoadRecoversAndBalances() throws Exception {
        String url = "jdbc:pooled:postgresql://127.0.0.1:" + PrivateServers.SMALL + "/test?user=postgres"
                + "&ApplicationName=" + app + "&connectTimeout=2&loginTimeout=3&pooled.service=" + service
                + "&pooled.max_connections=6&pooled.max_queue=100&pooled.timeout_ms=8000";
        restartUnderLoad(url, "select 1", () -> PrivateServers.run("pg-restart", String.valueOf(PrivateServers.SMALL)),
                () -> pgSessions(PrivateServers.SMALL, app));
    }

    @Test
    void aMariadbRestartUnderLoadRecoversAndBalances() throws Exception {
        String url = "jdbc:pooled:mysql://127.0.0.1:" + PrivateServers.MARIADB + "/test?user=pooled_fo&password=fo-pw"
                + "&connectTimeout=2000&pooled.service=" + service
                + "&pooled.max_connections=6&pooled.max_queue=100&pooled.timeout_ms=15000";
        restartUnderLoad(url, "select 1", () -> PrivateServers.run("my-restart"), FailoverIT::mariadbSessions);
    }

    private void restartUnderLoad(String url, String sql, Runnable restart, SessionCount sessions) throws Exception {
        DriverManager.getConnection(url).close();
        ConnectionPool pool = Servers.pool(service);
        long restartedAt;
        Load load;
        try (Load l = new Load(8, url, sql)) {
            load = l;
            TimeUnit.SECONDS.sleep(2);
            restartedAt = System.nanoTime();
            restart.run();
            long up = System.nanoTime();
            await().atMost(20, TimeUnit.SECONDS).until(() -> l.outcomes.stream()
                    .anyMatch(o -> o.kind() == Outcome.SERVED && o.endNanos() > up));
            TimeUnit.SECONDS.sleep(2);
            System.out.printf(Locale.ROOT, "restart (%s): restart took %d ms; refused with room %d, timed out %d,"
                    + " in flight %d, served %d%n", url.substring(0, url.indexOf('?')),
                    TimeUnit.NANOSECONDS.toMillis(up - restartedAt), l.count(Outcome.REFUSED_WITH_ROOM),
                    l.count(Outcome.TIMED_OUT), l.count(Outcome.IN_FLIGHT), l.count(Outcome.SERVED));
        }
        load.refused.stream().limit(3).forEach(e -> System.out.println("  refused: " + e));
        assertThat(load.count(Outcome.SERVED)).isPositive();
        assertBalanced(pool, sessions);
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void killedBackendsAreReplacedAndNothingLeaks() throws Exception {
        String pgUrl = "jdbc:pooled:postgresql://127.0.0.1:" + PrivateServers.SMALL + "/test?user=postgres"
                + "&ApplicationName=" + app + "&pooled.service=" + service
                + "&pooled.max_connections=6&pooled.max_queue=100&pooled.timeout_ms=8000";
        DriverManager.getConnection(pgUrl).close();
        ConnectionPool pgPool = Servers.pool(service);
        try (Load l = new Load(8, pgUrl, "select pg_sleep(0.002)")) {
            TimeUnit.SECONDS.sleep(1);
            try (Connection admin = PrivateServers.pgAdmin(PrivateServers.SMALL);
                    PreparedStatement ps = admin.prepareStatement("select count(pg_terminate_backend(pid))"
                            + " from pg_stat_activity where application_name = ?")) {
                ps.setString(1, app);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    System.out.println("killed PostgreSQL backends: " + rs.getLong(1));
                }
            }
            long killed = System.nanoTime();
            await().atMost(10, TimeUnit.SECONDS).until(() -> l.outcomes.stream()
                    .anyMatch(o -> o.kind() == Outcome.SERVED && o.endNanos() > killed + 50_000_000L));
            TimeUnit.SECONDS.sleep(1);
            assertThat(l.count(Outcome.REFUSED_WITH_ROOM)).isZero();
            assertThat(l.count(Outcome.TIMED_OUT)).isZero();
        }
        assertBalanced(pgPool, () -> pgSessions(PrivateServers.SMALL, app));

        String myService = service + "-my";
        String myUrl = "jdbc:pooled:mysql://127.0.0.1:" + PrivateServers.MARIADB + "/test?user=pooled_fo&password=fo-pw"
                + "&pooled.service=" + myService + "&pooled.max_connections=6&pooled.max_queue=100"
                + "&pooled.timeout_ms=8000";
        try {
            DriverManager.getConnection(myUrl).close();
            ConnectionPool myPool = Servers.pool(myService);
            try (Load l = new Load(8, myUrl, "do sleep(0.002)")) {
                TimeUnit.SECONDS.sleep(1);
                int n = 0;
                try (Connection admin = PrivateServers.mariadbAdmin(); Statement st = admin.createStatement();
                        ResultSet rs = st.executeQuery("select id from information_schema.processlist"
                                + " where user = 'pooled_fo'")) {
                    List<Long> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                    for (long id : ids) {
                        try (Statement k = admin.createStatement()) {
                            k.execute("KILL " + id);
                            n++;
                        } catch (SQLException gone) {
                            // already closed
                        }
                    }
                }
                System.out.println("killed MariaDB sessions: " + n);
                long killed = System.nanoTime();
                await().atMost(10, TimeUnit.SECONDS).until(() -> l.outcomes.stream()
                        .anyMatch(o -> o.kind() == Outcome.SERVED && o.endNanos() > killed + 50_000_000L));
                TimeUnit.SECONDS.sleep(1);
                assertThat(l.count(Outcome.REFUSED_WITH_ROOM)).isZero();
                assertThat(l.count(Outcome.TIMED_OUT)).isZero();
            }
            assertBalanced(myPool, FailoverIT::mariadbSessions);
            // The MariaDB sampler reconnected after its own session was killed too.
            await().atMost(10, TimeUnit.SECONDS).until(() -> myPool.stats().databaseLoad().known()
                    && myPool.stats().databaseLoad().sampledAt().isAfter(java.time.Instant.now().minusSeconds(2)));
            assertThat(myPool.stats().databaseLoad().maxConnections()).isEqualTo(100);
        } finally {
            Servers.closePools(myService);
        }
    }
}
