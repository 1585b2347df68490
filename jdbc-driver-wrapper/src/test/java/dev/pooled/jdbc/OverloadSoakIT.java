package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolStats;
import dev.pooled.RejectReason;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 60 s of open-loop arrivals at 150 % of what the pool can serve, with every adaptive feature on (the defaults):
 * the queue stays within max_queue, every request is served or gets a documented rejection, served requests wait
 * less than timeout_ms at p99, rejections take under 1 ms at p99, PostgreSQL never sees more than max_connections,
 * and afterwards every permit and connection is back.
 */
@Timeout(180)
class OverloadSoakIT {
    private static final int MAX = 8;
    private static final int QUEUE = 40;
    private static final int TIMEOUT_MS = 250;
    private static final double HOLD = 0.01;
    private static final int SECONDS = Integer.getInteger("pooled.soak.seconds", 60);

    private final String service = Servers.tag("soak");
    private final String calibration = Servers.tag("soakcal");

    @AfterEach
    void closePools() {
        Servers.closePools(service);
        Servers.closePools(calibration);
    }

    @Test
    void aFixedOverloadIsServedOrRejectedFastAndEverythingBalancesAfter() throws Exception {
        // The peak: what max_connections connections serve when they never wait for work.
        String cal = Servers.pgPooled(calibration, "pooled.service=" + calibration + "&pooled.max_connections=" + MAX
                + "&pooled.sizing=fixed&pooled.throttling=off&pooled.timeout_ms=5000");
        DriverManager.getConnection(cal).close();
        await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.pool(calibration).physicalConnections() == MAX);
        LoadDriver.Result peakRun = LoadDriver.closedLoop(2 * MAX, 3, 100_000, () -> DriverManager.getConnection(cal),
                LoadDriver.pgSleep(() -> HOLD), new AtomicBoolean());
        double peak = peakRun.throughput(3);
        Servers.closePools(calibration);
        double rate = 1.5 * peak;

        String u = Servers.pgPooled(service, "pooled.service=" + service + "&pooled.max_connections=" + MAX
                + "&pooled.max_queue=" + QUEUE + "&pooled.timeout_ms=" + TIMEOUT_MS);
        DriverManager.getConnection(u).close();
        ConnectionPool pool = Servers.pool(service);
        await().atMost(10, TimeUnit.SECONDS).until(() -> pool.physicalConnections() == MAX);
        LoadDriver.OpenLoop load;
        List<Integer> queueSamples = new ArrayList<>();
        long started;
        try (PgWatch watch = new PgWatch(service, 20)) {
            watch.watch(pool);
            started = System.nanoTime();
            load = new LoadDriver.OpenLoop(rate, 600, (long) (rate * SECONDS * 1.2),
                    () -> DriverManager.getConnection(u), LoadDriver.pgSleep(() -> HOLD));
            long end = started + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < end) {
                queueSamples.add(pool.queued());
                TimeUnit.MILLISECONDS.sleep(5);
            }
            load.close();
            int maxSessions = watch.maxSessions();
            int maxActive = watch.maxActive();
            LoadDriver.Result r = load.result;
            Histogram acquire = r.acquireHistogram();
            Histogram rejection = r.rejectionHistogram();
            Histogram immediate = r.immediateRejectionHistogram();
            PoolStats s = pool.stats();
            double elapsed = (System.nanoTime() - started) / 1e9;
            System.out.printf("soak: peak %.0f/s, offered %.0f/s for %d s: %s; served %.0f/s;"
                    + " acquire p50/p99/max %.2f/%.2f/%.2f ms; rejections p50/p99/max %.3f/%.3f/%.3f ms"
                    + " (immediate only p99 %.3f ms); queue max %d of %d; server sessions max %d, active max %d;"
                    + " limit now %d, target %d, λ=%.0f/s, W=%.2f ms; rejections by reason qf=%d ov=%d to=%d%n",
                    peak, rate, SECONDS, r, r.served.sum() / elapsed,
                    acquire.getValueAtPercentile(50) / 1e6, acquire.getValueAtPercentile(99) / 1e6,
                    acquire.getMaxValue() / 1e6, rejection.getValueAtPercentile(50) / 1e6,
                    rejection.getValueAtPercentile(99) / 1e6, rejection.getMaxValue() / 1e6,
                    immediate.getValueAtPercentile(99) / 1e6, queueSamples.stream().mapToInt(i -> i).max().orElse(0),
                    QUEUE, maxSessions, maxActive, s.limit(), s.targetSize(), s.arrivalRate(),
                    s.holdTimeMicros() / 1e3, s.rejections(RejectReason.QUEUE_FULL),
                    s.rejections(RejectReason.OVERLOADED), s.rejections(RejectReason.TIMEOUT));

            assertThat(r.unexpected).as("undocumented failures").isEmpty();
            assertThat(r.generatorOverflow.sum()).as("arrivals the generator could not dispatch").isZero();
            assertThat(r.total()).as("every arrival accounted for").isEqualTo(load.dispatched());
            assertThat(r.served.sum()).isPositive();
            assertThat(r.rejected()).as("150 % of peak must shed").isPositive();
            assertThat(queueSamples).as("queue depth samples").allSatisfy(q -> assertThat(q).isLessThanOrEqualTo(QUEUE));
            assertThat(acquire.getValueAtPercentile(99) / 1e6).as("p99 acquire of served, ms").isLessThan(TIMEOUT_MS);
            assertThat(rejection.getValueAtPercentile(99) / 1e6).as("p99 of rejections, ms").isLessThan(1.0);
            assertThat(maxSessions).as("server sessions").isLessThanOrEqualTo(MAX);
            assertThat(maxActive).as("server queries running at once").isLessThanOrEqualTo(MAX);
        }
        // Afterwards: every permit and connection is back.
        assertThat(pool.active()).isZero();
        assertThat(pool.queued()).isZero();
        await().atMost(5, TimeUnit.SECONDS).until(() -> Servers.pgSessions(service) == pool.physicalConnections());
        await().atMost(5, TimeUnit.SECONDS).until(() -> pool.limit() == pool.stats().targetSize());
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < pool.limit(); i++) {
            all.add(DriverManager.getConnection(u));
        }
        assertThat(pool.active()).isEqualTo(pool.limit());
        for (Connection c : all) {
            c.close();
        }
        assertThat(pool.active()).isZero();
    }
}
