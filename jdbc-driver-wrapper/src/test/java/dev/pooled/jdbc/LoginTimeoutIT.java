package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.PoolStartException;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §4: the login timeout HikariCP sets reaches the delegate driver, so a server that accepts TCP and never
 * answers neither hangs a pool's start nor HikariCP's connection-adder thread. Faults from {@link FaultProxy} in
 * front of the real servers.
 */
@Timeout(180)
class LoginTimeoutIT {

    private static FaultProxy proxy(String jdbcUrl) throws Exception {
        URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
        return new FaultProxy(u.getHost(), u.getPort());
    }

    private static String through(FaultProxy p, String jdbcUrl) {
        URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
        return "jdbc:" + u.getScheme() + "://127.0.0.1:" + p.port() + u.getRawPath();
    }

    private static PooledDataSource.Builder builder(String url, boolean mysql, String service) {
        PooledDataSource.Builder b = PooledDataSource.builder().url(url).set("service", service)
                .set("max_connections", "1").set("sizing", "fixed").set("timeout_ms", "1000")
                .set("breaker_failure_rate", "0").instrumentation(Instrumentation.builder().jmx(false).build());
        return mysql ? b.user(Servers.MYSQL_USER).password("it-pw") : b.user("postgres");
    }

    @Test
    void aPoolStartAgainstAServerThatNeverAnswersFailsInBoundedTime() throws Exception {
        for (String server : new String[] {Servers.PG, Servers.MYSQL}) {
            boolean mysql = server == Servers.MYSQL;
            if (mysql) {
                Servers.ensureMysqlUser();
            }
            try (FaultProxy p = proxy(server)) {
                p.blackhole(true);
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> builder(through(p, server), mysql, Servers.tag("lt")).build())
                        .as(server).isInstanceOf(PoolStartException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as(server).isLessThan(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void theConnectionAdderRecoversAfterAServerThatNeverAnsweredComesBack() throws Exception {
        for (String server : new String[] {Servers.PG, Servers.MYSQL}) {
            boolean mysql = server == Servers.MYSQL;
            if (mysql) {
                Servers.ensureMysqlUser();
            }
            try (FaultProxy p = proxy(server);
                    PooledDataSource ds = builder(through(p, server), mysql, Servers.tag("lt")).build()) {
                try (Connection c = ds.getConnection()) {
                    assertThat(Servers.queryLong(c, "select 1")).isEqualTo(1);
                }
                // The server now accepts and never answers; the pool's one connection dies, so HikariCP's adder
                // must open a new one into the black hole.
                p.blackhole(true);
                p.cutLive();
                assertThatThrownBy(() -> {
                    try (Connection c = ds.getConnection()) {
                        Servers.queryLong(c, "select 1");
                    }
                }).isInstanceOf(SQLException.class);
                // Give the adder time to get stuck in the hole, then bring the server back: without a login
                // timeout the adder waits on its handshake for ever and the pool never recovers.
                await().atMost(Duration.ofSeconds(10)).until(() -> p.liveCount() > 0);
                p.blackhole(false);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .untilAsserted(() -> {
                            try (Connection c = ds.getConnection()) {
                                assertThat(Servers.queryLong(c, "select 1")).isEqualTo(1);
                            }
                        });
            }
        }
    }
}
