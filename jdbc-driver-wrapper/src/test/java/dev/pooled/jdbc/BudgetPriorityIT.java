package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolAcquireTimeoutException;
import java.sql.DriverManager;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two pools of one process share a budget of 6 connections and both want more: the high-priority pool is granted
 * its demand first and its callers' p99 wait stays low; the low-priority pool keeps one connection and sheds;
 * PostgreSQL never sees more than the budget.
 */
@Timeout(120)
class BudgetPriorityIT {
    private static final int BUDGET = 6;
    private final String high = Servers.tag("bhigh");
    private final String low = Servers.tag("blow");
    private final String budget = Servers.tag("budget");

    @AfterEach
    void closePools() {
        Servers.closePools(high);
        Servers.closePools(low);
    }

    private String url(String service, int priority) {
        return Servers.pgPooled(service, "pooled.service=" + service + "&pooled.priority=" + priority
                + "&pooled.max_connections=6&pooled.max_queue=50&pooled.timeout_ms=100&pooled.budget=" + budget
                + "&pooled.budget_max=" + BUDGET);
    }

    @Test
    void underContentionTheHighPriorityPoolIsServedFirstAndTheLowOneShedsFirst() throws Exception {
        String uh = url(high, 9);
        String ul = url(low, 1);
        DriverManager.getConnection(uh).close();
        try {
            DriverManager.getConnection(ul).close();
        } catch (PoolAcquireTimeoutException e) {
            // The high pool started first and reserved all six; the low one's first share comes when the high one
            // has given a connection back, one or two control epochs (100 ms each) later: longer than timeout_ms.
        }
        ConnectionPool ph = Servers.pool(high);
        ConnectionPool pl = Servers.pool(low);
        await().atMost(5, TimeUnit.SECONDS).until(() -> pl.limit() >= 1);
        AtomicBoolean stop = new AtomicBoolean();
        try (PgWatch wh = new PgWatch(high, 20); PgWatch wl = new PgWatch(low, 20)) {
            wh.watch(ph);
            wl.watch(pl);
            long start = System.nanoTime();
            CompletableFuture<LoadDriver.Result> lh = load(uh, stop);
            CompletableFuture<LoadDriver.Result> ll = load(ul, stop);
            await().atMost(5, TimeUnit.SECONDS).until(() -> ph.stats().budgetShare() == 5
                    && pl.stats().budgetShare() == 1);
            double settled = (System.nanoTime() - start) / 1e9;
            LoadDriver.Result rh = lh.get(60, TimeUnit.SECONDS);
            LoadDriver.Result rl = ll.get(60, TimeUnit.SECONDS);
            List<PgWatch.Sample> sh = wh.since(start);
            List<PgWatch.Sample> sl = wl.since(start);
            int n = Math.min(sh.size(), sl.size());
            int maxSessions = 0;
            int maxActive = 0;
            for (int i = 0; i < n; i++) {
                maxSessions = Math.max(maxSessions, sh.get(i).sessions() + sl.get(i).sessions());
                maxActive = Math.max(maxActive, sh.get(i).active() + sl.get(i).active());
            }
            Histogram waitH = rh.acquireHistogram();
            Histogram waitL = rl.acquireHistogram();
            System.out.printf("budget %d: shares settled at high=%d low=%d after %.2f s; high: %s, wait p99 %.1f ms;"
                    + " low: %s, wait p99 %.1f ms; server sessions max %d, active max %d (both pools, sampled"
                    + " 20 ms apart, not simultaneously)%n", BUDGET, ph.stats().budgetShare(),
                    pl.stats().budgetShare(), settled, rh, waitH.getValueAtPercentile(99) / 1e6, rl,
                    waitL.getValueAtPercentile(99) / 1e6, maxSessions, maxActive);
            assertThat(rh.unexpected).isEmpty();
            assertThat(rl.unexpected).isEmpty();
            assertThat(rh.served.sum()).isGreaterThan(3 * rl.served.sum());
            assertThat(rl.rejected()).as("low sheds").isGreaterThan(rh.rejected() + 50);
            assertThat(waitH.getValueAtPercentile(99) / 1e6).as("high p99 wait, ms").isLessThan(100.0);
            assertThat(waitH.getValueAtPercentile(99)).isLessThan(waitL.getValueAtPercentile(99));
            assertThat(maxActive).as("queries running at once for both pools").isLessThanOrEqualTo(BUDGET);
            assertThat(maxSessions).as("server sessions of both pools").isLessThanOrEqualTo(BUDGET);
        }
    }

    private static CompletableFuture<LoadDriver.Result> load(String u, AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return LoadDriver.closedLoop(8, 6, 100_000, () -> DriverManager.getConnection(u),
                        LoadDriver.pgSleep(() -> 0.02), stop);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r).start());
    }
}
