package dev.pooled.examples;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolAcquireTimeoutException;
import dev.pooled.PoolQueueFullException;
import dev.pooled.jdbc.PooledDriver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A short, real workload through {@code jdbc:pooled:}: 24 threads, each a "request handler" that calls
 * {@code DriverManager.getConnection} per transaction, share 4 physical connections. The gate queues and sheds at
 * the service's own door; the database never sees more than 4 sessions. Prints what the pool did.
 *
 * <p>Arguments: {@code [jdbc URL of PostgreSQL or MySQL, without jdbc:pooled:] [seconds]}.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean pg = target.startsWith("jdbc:postgresql:");
        String app = "pooled-demo";
        String url = "jdbc:pooled:" + target.substring("jdbc:".length()) + (target.contains("?") ? "&" : "?")
                + (pg ? "ApplicationName=" + app + "&" : "")
                + "pooled.service=demo&pooled.max_connections=4&pooled.max_queue=12&pooled.timeout_ms=200";
        System.out.println("Pooled JDBC demo: 24 threads, one transaction per getConnection, for " + seconds + " s");
        System.out.println("URL: " + url.replaceAll("password=[^&]*", "password=***"));

        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("create table if not exists pooled_demo_counter (id int primary key, n bigint not null)");
            st.execute("delete from pooled_demo_counter");
            st.execute("insert into pooled_demo_counter values (1, 0)");
        }

        LongAdder committed = new LongAdder();
        LongAdder queueFull = new LongAdder();
        LongAdder timedOut = new LongAdder();
        AtomicInteger maxServerSessions = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 24; t++) {
            int priority = t < 4 ? 9 : 5;
            String threadUrl = url + "&pooled.priority=" + priority;
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try (Connection c = DriverManager.getConnection(threadUrl)) {
                        c.setAutoCommit(false);
                        try (PreparedStatement ps = c.prepareStatement(
                                "update pooled_demo_counter set n = n + 1 where id = 1")) {
                            ps.executeUpdate();
                        }
                        c.commit();
                        committed.increment();
                    } catch (PoolQueueFullException e) {
                        queueFull.increment();
                        backOff();
                    } catch (PoolAcquireTimeoutException e) {
                        timedOut.increment();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "demo-" + t);
            threads.add(th);
            th.start();
        }
        while (System.nanoTime() < end) {
            maxServerSessions.accumulateAndGet(serverSessions(pg, target, app), Math::max);
            TimeUnit.MILLISECONDS.sleep(50);
        }
        for (Thread th : threads) {
            th.join();
        }

        long counter;
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select n from pooled_demo_counter where id = 1")) {
            rs.next();
            counter = rs.getLong(1);
        }
        ConnectionPool pool = PooledDriver.registry().pools().get(0);
        System.out.printf("committed transactions : %d (%.0f/s); counter in the database: %d%n", committed.sum(),
                committed.sum() / (double) seconds, counter);
        System.out.printf("rejected, queue full   : %d (08004, in microseconds)%n", queueFull.sum());
        System.out.printf("rejected, timed out    : %d (08001, after timeout_ms=200)%n", timedOut.sum());
        System.out.printf("most server sessions   : %d (max_connections=%d)%n", maxServerSessions.get(),
                pool.config().maxConnections());
        System.out.printf("pool now               : %s, %d physical connections%n", pool, pool.physicalConnections());
        PooledDriver.registry().close(Duration.ofSeconds(5));
        if (counter != committed.sum()) {
            throw new IllegalStateException("counter " + counter + " != committed " + committed.sum());
        }
    }

    private static void backOff() {
        try {
            TimeUnit.MILLISECONDS.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int serverSessions(boolean pg, String target, String app) throws SQLException {
        String sql = pg ? "select count(*) from pg_stat_activity where application_name = '" + app + "'"
                : "select count(*) - 1 from information_schema.processlist where user = current_user()";
        try (Connection c = DriverManager.getConnection(target); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
