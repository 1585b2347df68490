package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A database that slows down: every query goes from pg_sleep(0.005) to pg_sleep(0.04) for 5 s and back. Two pools
 * run the same closed-loop load side by side, one with the gradient throttle (the default) and one without: the
 * throttled one's limit falls, PostgreSQL sees fewer of its queries at once, and the limit comes back afterwards.
 */
@Timeout(120)
class ThrottlingIT {
    private final String throttled = Servers.tag("thr");
    private final String unthrottled = Servers.tag("nothr");

    @AfterEach
    void closePools() {
        Servers.closePools(throttled);
        Servers.closePools(unthrottled);
    }

    @Test
    void theLimitFallsWhenTheDatabaseSlowsAndComesBackAfter() throws Exception {
        String common = "&pooled.max_connections=8&pooled.max_queue=100&pooled.timeout_ms=5000";
        String ut = Servers.pgPooled(throttled, "pooled.service=" + throttled + common);
        String uu = Servers.pgPooled(unthrottled, "pooled.service=" + unthrottled + common + "&pooled.throttling=off");
        DriverManager.getConnection(ut).close();
        DriverManager.getConnection(uu).close();
        ConnectionPool pt = Servers.pool(throttled);
        ConnectionPool pu = Servers.pool(unthrottled);
        double[] sleep = {0.005};
        AtomicBoolean stop = new AtomicBoolean();
        try (PgWatch wt = new PgWatch(throttled, 50); PgWatch wu = new PgWatch(unthrottled, 50)) {
            wt.watch(pt);
            wu.watch(pu);
            CompletableFuture<LoadDriver.Result> lt = load(ut, sleep, stop);
            CompletableFuture<LoadDriver.Result> lu = load(uu, sleep, stop);
            TimeUnit.SECONDS.sleep(4); // the baseline: 2 s of warm-up plus some
            assertThat(pt.limit()).isEqualTo(8);

            sleep[0] = 0.04;
            long slowStart = System.nanoTime();
            await().atMost(3, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> pt.limit() < 8);
            double fellAfter = (System.nanoTime() - slowStart) / 1e9;
            TimeUnit.MILLISECONDS.sleep(Math.max(0, 5_000 - (System.nanoTime() - slowStart) / 1_000_000));
            long slowEnd = System.nanoTime();
            List<PgWatch.Sample> slowT = wt.since(slowStart + TimeUnit.SECONDS.toNanos(2));
            List<PgWatch.Sample> slowU = wu.since(slowStart + TimeUnit.SECONDS.toNanos(2));
            int minLimit = slowT.stream().mapToInt(PgWatch.Sample::limit).min().orElse(-1);

            sleep[0] = 0.005;
            await().atMost(8, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> pt.limit() == 8);
            double recoveredAfter = (System.nanoTime() - slowEnd) / 1e9;
            stop.set(true);
            LoadDriver.Result rt = lt.get(30, TimeUnit.SECONDS);
            LoadDriver.Result ru = lu.get(30, TimeUnit.SECONDS);

            double activeT = PgWatch.meanActive(slowT);
            double activeU = PgWatch.meanActive(slowU);
            System.out.printf("throttling: limit fell below 8 %.2f s into the slowdown, down to %d; during the"
                    + " slowdown PostgreSQL ran %.2f queries at once for the throttled pool vs %.2f without"
                    + " (max %d vs %d); limit back to 8 %.2f s after it ended. Throttled: %s. Unthrottled: %s%n",
                    fellAfter, minLimit, activeT, activeU,
                    slowT.stream().mapToInt(PgWatch.Sample::active).max().orElse(0),
                    slowU.stream().mapToInt(PgWatch.Sample::active).max().orElse(0), recoveredAfter, rt, ru);
            assertThat(minLimit).as("lowest limit in the slowdown").isBetween(1, 4);
            assertThat(activeT).as("concurrent queries, throttled vs not").isLessThan(activeU * 0.75);
            assertThat(slowU.stream().mapToInt(PgWatch.Sample::limit).min().orElse(-1)).isEqualTo(8);
            assertThat(rt.unexpected).isEmpty();
            assertThat(ru.unexpected).isEmpty();
            assertThat(rt.timedOut.sum()).isZero();
        }
    }

    private static CompletableFuture<LoadDriver.Result> load(String u, double[] sleep, AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return LoadDriver.closedLoop(12, 40, 100_000, () -> DriverManager.getConnection(u),
                        LoadDriver.pgSleep(() -> sleep[0]), stop);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r).start());
    }
}
