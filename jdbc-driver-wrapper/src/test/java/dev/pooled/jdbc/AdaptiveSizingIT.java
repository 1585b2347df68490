package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolStats;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Little's-law autosizing against real PostgreSQL: convergence under a known load, a step up, a step down, and the
 * throughput of the autosized pool against the best fixed size. Loads are bounded in count and time.
 */
@Timeout(120)
class AdaptiveSizingIT {
    private final String service = Servers.tag("size");
    private final List<String> services = new ArrayList<>(List.of(service));

    @AfterEach
    void closePools() {
        services.forEach(Servers::closePools);
    }

    private static String url(String service, String extra) {
        return Servers.pgPooled(service, "pooled.service=" + service + "&" + extra);
    }

    /**
     * Open-loop Poisson arrivals holding each connection for pg_sleep(0.05) (about 52 ms): λ = 60/s, so λ·W ≈ 3;
     * then λ = 240/s (λ·W ≈ 12.5); then back to 60/s.
     */
    @Test
    void convergesToLittlesLawFollowsAStepUpAndShrinksWithoutFlapping() throws Exception {
        String u = url(service, "pooled.max_connections=16&pooled.max_queue=200&pooled.timeout_ms=2000");
        DriverManager.getConnection(u).close();
        ConnectionPool pool = Servers.pool(service);
        double hold = 0.05;
        try (PgWatch watch = new PgWatch(service, 50);
                LoadDriver.OpenLoop load = new LoadDriver.OpenLoop(60, 400, 20_000,
                        () -> DriverManager.getConnection(u), LoadDriver.pgSleep(() -> hold))) {
            watch.watch(pool);
            // 1. steady: starts at max_connections=16 and shrinks towards λ·W + headroom
            long t0 = System.nanoTime();
            await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                    .until(() -> withinLittle(pool.stats()));
            double converged = (System.nanoTime() - t0) / 1e9;
            PoolStats steady = pool.stats();
            double l = steady.arrivalRate() * steady.holdTimeMicros() / 1e6;
            assertThat(steady.arrivalRate()).as("λ measured vs 60/s offered").isBetween(45.0, 75.0);
            assertThat(steady.holdTimeMicros() / 1e3).as("W measured, ms").isBetween(50.0, 70.0);
            assertThat(l).as("λ·W vs 60/s × 52 ms").isBetween(3.12 * 0.75, 3.12 * 1.25);
            await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.pgSessions(service) == pool.stats().targetSize());
            System.out.printf("autosize steady: converged in %.1f s to target %d (λ=%.1f/s, W=%.1f ms, λW=%.2f,"
                    + " sessions %d) reason: %s%n", converged, steady.targetSize(), steady.arrivalRate(),
                    steady.holdTimeMicros() / 1e3, l, Servers.pgSessions(service), steady.sizingReason());

            // 2. step up to 240/s: λ·W ≈ 12.5
            load.rate(240);
            long up = System.nanoTime();
            await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .until(() -> pool.stats().targetSize() >= 10);
            double followed = (System.nanoTime() - up) / 1e9;
            await().atMost(5, TimeUnit.SECONDS).until(() -> Servers.pgSessions(service) >= 10);
            double sessionsAt = (System.nanoTime() - up) / 1e9;
            TimeUnit.SECONDS.sleep(3); // let the 5 s window fill with the new load before reading λ and W
            PoolStats high = pool.stats();
            double lHigh = high.arrivalRate() * high.holdTimeMicros() / 1e6;
            assertThat(lHigh).as("λ·W after the step").isBetween(12.5 * 0.75, 12.5 * 1.25);
            assertThat(high.targetSize()).as("target vs λ·W + 1.5·√(λ·W)")
                    .isBetween((int) Math.floor(lHigh * 0.75), (int) Math.ceil((lHigh + 1.5 * Math.sqrt(lHigh)) * 1.25));
            System.out.printf("autosize step up: target >= 10 after %.2f s, server sessions >= 10 after %.2f s;"
                    + " at %d (λ=%.1f/s, W=%.1f ms, λW=%.2f)%n", followed, sessionsAt, high.targetSize(),
                    high.arrivalRate(), high.holdTimeMicros() / 1e3, lHigh);

            // 3. step down to 60/s: shrinks, never grows back, and settles
            load.rate(60);
            long down = System.nanoTime();
            Map<Long, Integer> targets = new LinkedHashMap<>();
            int peakTarget = high.targetSize();
            long end = down + TimeUnit.SECONDS.toNanos(16);
            while (System.nanoTime() < end) {
                targets.put((System.nanoTime() - down) / 1_000_000, pool.stats().targetSize());
                TimeUnit.MILLISECONDS.sleep(100);
            }
            List<Integer> seq = new ArrayList<>(targets.values());
            int grew = 0;
            for (int i = 1; i < seq.size(); i++) {
                if (seq.get(i) > seq.get(i - 1)) {
                    grew++;
                }
            }
            int last = seq.get(seq.size() - 1);
            long firstShrinkMs = targets.entrySet().stream().filter(e -> e.getValue() < peakTarget)
                    .mapToLong(Map.Entry::getKey).findFirst().orElse(-1);
            System.out.printf("autosize step down: first shrink after %d ms, %d -> %d in 16 s, growths %d, %s%n",
                    firstShrinkMs, peakTarget, last, grew, seq);
            // The sizer grows when it measures demand above its size (a second with callers queued). Beside a CPU hog
            // the load generator stalls and then catches up, a real burst the design answers with one growth; what
            // must not happen is flapping (growing again and again) or growing past the size of the high load.
            assertThat(grew).as("growths while the load fell (one answers a catch-up burst)").isLessThanOrEqualTo(1);
            assertThat(seq).as("never above the high load's size").allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(
                    peakTarget));
            assertThat(last).as("settled near λ·W ≈ 3 plus headroom").isBetween(3, 7);
            assertThat(firstShrinkMs).as("shrinks slowly: not in the first 2 s").isGreaterThanOrEqualTo(2_000);
            await().atMost(5, TimeUnit.SECONDS).until(() -> Servers.pgSessions(service) == pool.stats().targetSize());
        }
        assertThat(pool.active()).isZero();
    }

    private static boolean withinLittle(PoolStats s) {
        double l = s.arrivalRate() * s.holdTimeMicros() / 1e6;
        if (Double.isNaN(l) || l <= 0) {
            return false;
        }
        return s.targetSize() >= Math.floor(l * 0.75) && s.targetSize() <= Math.ceil((l + 1.5 * Math.sqrt(l)) * 1.25);
    }

    /**
     * Six threads in a closed loop, each holding a connection for pg_sleep(0.02) with no think time: a sweep of fixed
     * sizes 3, 6, 9 finds the best; the autosized pool (max 9) must come within 15 % of its throughput (the runs'
     * drift on a loaded machine) while holding no more connections.
     */
    @Test
    void theAutosizedPoolMatchesTheBestFixedSizeWithNoMoreConnections() throws Exception {
        int threads = 6;
        double seconds = 3;
        Map<Integer, Double> fixed = new LinkedHashMap<>();
        for (int size : new int[] {3, 6, 9}) {
            String s = Servers.tag("fixed" + size);
            services.add(s);
            String u = url(s, "pooled.max_connections=" + size + "&pooled.sizing=fixed&pooled.throttling=off"
                    + "&pooled.timeout_ms=5000");
            warm(u, size);
            LoadDriver.Result r = LoadDriver.closedLoop(threads, seconds, 100_000, () -> DriverManager.getConnection(u),
                    LoadDriver.pgSleep(() -> 0.02), new AtomicBoolean());
            assertThat(r.unexpected).isEmpty();
            fixed.put(size, r.throughput(seconds));
        }
        int best = fixed.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();

        String u = url(service, "pooled.max_connections=9&pooled.timeout_ms=5000");
        warm(u, 9);
        ConnectionPool pool = Servers.pool(service);
        AtomicBoolean stop = new AtomicBoolean();
        // let it settle: from 9 it shrinks to the six connections the six threads use
        Thread settle = new Thread(() -> {
            try {
                LoadDriver.closedLoop(threads, 20, 100_000, () -> DriverManager.getConnection(u),
                        LoadDriver.pgSleep(() -> 0.02), stop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        settle.start();
        await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                .until(() -> pool.stats().targetSize() <= best && Servers.pgSessions(service) <= best);
        stop.set(true);
        settle.join(10_000);
        LoadDriver.Result auto = LoadDriver.closedLoop(threads, seconds, 100_000, () -> DriverManager.getConnection(u),
                LoadDriver.pgSleep(() -> 0.02), new AtomicBoolean());
        int held = Servers.pgSessions(service);
        double autoThroughput = auto.throughput(seconds);
        System.out.printf("autosize vs fixed: fixed %s/s, best %d; autosized %.1f/s (%.1f %% of best) holding %d"
                + " connections (target %d)%n", fixed, best, autoThroughput, 100 * autoThroughput / fixed.get(best),
                held, pool.stats().targetSize());
        assertThat(auto.unexpected).isEmpty();
        // Holding as many connections as the best fixed size, no caller waits for one, so the two differ only by the
        // machine's drift between the runs: a few per cent when quiet, about 10 % beside a CPU hog (measured: 90.8 %).
        // The bound allows that drift; what the design promises is checked exactly below (no more connections).
        assertThat(autoThroughput).isGreaterThanOrEqualTo(fixed.get(best) * 0.85);
        assertThat(held).as("connections held by the autosized pool").isLessThanOrEqualTo(best);
        assertThat(pool.stats().targetSize()).isLessThanOrEqualTo(best);
    }

    private static void warm(String u, int size) throws Exception {
        DriverManager.getConnection(u).close();
        String service = u.substring(u.indexOf("pooled.service=") + "pooled.service=".length()).split("&")[0];
        await().atMost(10, TimeUnit.SECONDS).until(() -> Servers.pool(service).physicalConnections() == size);
        try (Connection c = DriverManager.getConnection(u)) {
            assertThat(c.isValid(1)).isTrue();
        }
    }
}
