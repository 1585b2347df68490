package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolCircuitOpenException;
import dev.pooled.PoolStartException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 §3: a database that is down when the pool starts. The pool exists from the first request, callers fail
 * fast through the breaker while it cannot connect, and the first callers after the database answers are served
 * without a restart; configuration errors stay immediate. Against a closed port and against a proxy that accepts TCP
 * and never answers, in front of the shared PostgreSQL (whose own state is untouched).
 */
@Timeout(90)
class DownAtStartIT {
    private final String service = Servers.tag("down");
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        Servers.closePools(service);
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private String url(int port, String extra) {
        return "jdbc:pooled:postgresql://127.0.0.1:" + port + "/test?user=postgres&ApplicationName=" + service
                + "&connectTimeout=2&loginTimeout=2&pooled.service=" + service + "&pooled.max_connections=4&pooled.timeout_ms=2000"
                + extra;
    }

    /** @return p50 and p99 of {@code n} rejected getConnection calls, microseconds */
    private static long[] failFast(String u, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> DriverManager.getConnection(u).close())
                    .isInstanceOf(PoolCircuitOpenException.class);
            t[i] = (System.nanoTime() - t0) / 1_000;
        }
        java.util.Arrays.sort(t);
        return new long[] {t[n / 2], t[(int) Math.ceil(n * 0.99) - 1]};
    }

    @Test
    void aClosedPortFailsFastUntilTheDatabaseListensThenServes() throws Exception {
        FaultProxy proxy = new FaultProxy("127.0.0.1", 5432);
        closeables.add(proxy);
        proxy.down(); // nothing listens on its port: connection refused
        String u = url(proxy.port(), "");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> DriverManager.getConnection(u)).isInstanceOf(PoolCircuitOpenException.class)
                .satisfies(e -> assertThat(e.getCause()).isInstanceOf(SQLException.class));
        long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        ConnectionPool pool = Servers.pool(service);
        assertThat(PooledDriver.registry().pools()).contains(pool);
        long[] p = failFast(u, 200);
        System.out.printf("down at start (closed port): first request %d ms, then p50/p99 %d/%d us per rejection%n",
                firstMillis, p[0], p[1]);
        assertThat(p[0]).as("fail fast through the breaker: median, us").isLessThan(1_000);
        assertThat(p[1]).as("p99, us (a loaded 2-core machine)").isLessThan(50_000);
        assertThat(Servers.pool(service)).as("the same pool, not restarted per call").isSameAs(pool);

        proxy.up(); // the database listens again
        long up = System.nanoTime();
        await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(u)) {
                return Servers.queryLong(c, "select 1") == 1;
            }
        });
        System.out.printf("down at start: served %d ms after the database answered%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up));
        assertThat(Servers.pool(service)).isSameAs(pool);
        assertThat(pool.stats().breakerState()).isEqualTo("closed");
        try (Connection c = DriverManager.getConnection(u)) {
            c.setSchema("pg_catalog");
        }
        try (Connection c = DriverManager.getConnection(u)) {
            assertThat(c.getSchema()).as("schema reset learnt from the first connection").isEqualTo("public");
        }
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersFailsFastToo() throws Exception {
        FaultProxy proxy = new FaultProxy("127.0.0.1", 5432);
        closeables.add(proxy);
        proxy.replyDelay(TimeUnit.HOURS.toMillis(1));
        String u = url(proxy.port(), "");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> DriverManager.getConnection(u)).isInstanceOf(PoolCircuitOpenException.class);
        long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long[] p = failFast(u, 200);
        System.out.printf("down at start (accepts, never answers): first request %d ms (connectTimeout=2 s), then"
                + " p50/p99 %d/%d us per rejection%n", firstMillis, p[0], p[1]);
        assertThat(p[0]).isLessThan(1_000);
        assertThat(p[1]).isLessThan(50_000);
        proxy.replyDelay(0);
        await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(u)) {
                return Servers.queryLong(c, "select 1") == 1;
            }
        });
    }

    @Test
    void badCredentialsAndAnUnknownDatabaseStayImmediateClearErrors() {
        String badDb = "jdbc:pooled:postgresql://127.0.0.1:5432/no_such_db_" + service.replace('-', '_')
                + "?user=postgres&pooled.service=" + service;
        assertThatThrownBy(() -> DriverManager.getConnection(badDb)).isInstanceOfSatisfying(PoolStartException.class,
                e -> assertThat(e.getSQLState()).isEqualTo("3D000"));
        String badUser = "jdbc:pooled:postgresql://127.0.0.1:5432/test?user=no_such_role_x&pooled.service=" + service;
        assertThatThrownBy(() -> DriverManager.getConnection(badUser)).isInstanceOf(PoolStartException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("28"));
        assertThat(PooledDriver.registry().pools().stream().filter(p -> p.config().service().equals(service)))
                .isEmpty();
    }
}
