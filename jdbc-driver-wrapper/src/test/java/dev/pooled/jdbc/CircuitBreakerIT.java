package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolAcquireTimeoutException;
import dev.pooled.PoolCircuitOpenException;
import dev.pooled.PoolOverloadedException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL behind a fault proxy that goes down (refuses connections and cuts the live ones): the breaker opens,
 * callers are turned away in well under a millisecond while it is open, and it closes once the database is back.
 */
@Timeout(120)
class CircuitBreakerIT {
    private final String service = Servers.tag("brk");

    @AfterEach
    void closePools() {
        Servers.closePools(service);
    }

    @Test
    void theBreakerOpensWhenTheDatabaseIsDownRejectsFastAndClosesWhenItIsBack() throws Exception {
        URI pg = URI.create(Servers.PG.substring("jdbc:".length()));
        try (FaultProxy proxy = new FaultProxy(pg.getHost(), pg.getPort())) {
            String u = "jdbc:pooled:postgresql://127.0.0.1:" + proxy.port() + pg.getPath() + "?user=postgres"
                    + "&ApplicationName=" + service + "&connectTimeout=2&pooled.service=" + service
                    + "&pooled.max_connections=4&pooled.timeout_ms=300&pooled.breaker_open_ms=500";
            DriverManager.getConnection(u).close();
            ConnectionPool pool = Servers.pool(service);
            Recorder openRejections = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
            LongAdder ok = new LongAdder();
            LongAdder rejected = new LongAdder();
            LongAdder failed = new LongAdder();
            List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int t = 0; t < 4; t++) {
                Thread w = new Thread(() -> {
                    for (int i = 0; i < 2_000_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                        long t0 = System.nanoTime();
                        Connection c;
                        try {
                            c = DriverManager.getConnection(u);
                        } catch (PoolCircuitOpenException e) {
                            openRejections.recordValue(System.nanoTime() - t0);
                            rejected.increment();
                            LockSupport.parkNanos(200_000);
                            continue;
                        } catch (PoolAcquireTimeoutException | PoolOverloadedException e) {
                            failed.increment(); // timed out waiting, or told at once that it would
                            LockSupport.parkNanos(200_000);
                            continue;
                        } catch (SQLException e) {
                            unexpected.add(e);
                            continue;
                        }
                        try (c; Statement st = c.createStatement()) {
                            st.execute("select pg_sleep(0.002)");
                            ok.increment();
                        } catch (SQLException e) {
                            failed.increment(); // the proxy cut this connection under the statement
                        }
                    }
                });
                workers.add(w);
                w.start();
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> ok.sum() > 200);
            assertThat(pool.stats().breakerState()).isEqualTo("closed");

            proxy.down();
            long down = System.nanoTime();
            if (Boolean.getBoolean("pooled.debug")) {
                for (int i = 0; i < 25; i++) {
                    System.out.printf("DEBUG %.2f s: %s ok=%d failed=%d physical=%d%n", (System.nanoTime() - down) / 1e9,
                            pool.stats(), ok.sum(), failed.sum(), pool.physicalConnections());
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
            await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10))
                    .until(() -> !pool.stats().breakerState().equals("closed"));
            double openedAfter = (System.nanoTime() - down) / 1e9;
            openRejections.reset();
            long rejectedBefore = rejected.sum();
            TimeUnit.SECONDS.sleep(2);
            Histogram whileOpen = openRejections.getIntervalHistogram();
            long rejectedWhileOpen = rejected.sum() - rejectedBefore;

            proxy.up();
            long up = System.nanoTime();
            if (Boolean.getBoolean("pooled.debug")) {
                for (int i = 0; i < 25 && !pool.stats().breakerState().equals("closed"); i++) {
                    System.out.printf("DEBUG-UP %.2f s: %s ok=%d failed=%d physical=%d%n",
                            (System.nanoTime() - up) / 1e9, pool.stats(), ok.sum(), failed.sum(),
                            pool.physicalConnections());
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
            await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                    .until(() -> pool.stats().breakerState().equals("closed"));
            double closedAfter = (System.nanoTime() - up) / 1e9;
            long okAtClose = ok.sum();
            await().atMost(5, TimeUnit.SECONDS).until(() -> ok.sum() > okAtClose + 100);
            stop.set(true);
            for (Thread w : workers) {
                w.join(10_000);
            }
            System.out.printf("breaker: opened %.2f s after the database went down; %d callers rejected in the"
                    + " next 2 s, p50/p99/max %.1f/%.1f/%.1f µs; closed %.2f s after it came back (breaker_open_ms=500,"
                    + " HikariCP's reconnect backoff included); served %d, failed %d%n", openedAfter,
                    rejectedWhileOpen, whileOpen.getValueAtPercentile(50) / 1e3,
                    whileOpen.getValueAtPercentile(99) / 1e3, whileOpen.getMaxValue() / 1e3, closedAfter, ok.sum(),
                    failed.sum());
            assertThat(unexpected).isEmpty();
            assertThat(rejectedWhileOpen).isGreaterThan(500);
            // The median holds beside a CPU hog; the tail is the benchmark's (AcquireReleaseBenchmark.Rejection).
            assertThat(whileOpen.getValueAtPercentile(50) / 1e6).as("median rejection while open, ms").isLessThan(1.0);
            assertThat(pool.active()).isZero();
            assertThat(pool.stats().rejections(dev.pooled.RejectReason.CIRCUIT_OPEN)).isEqualTo(rejected.sum());
        }
    }
}
