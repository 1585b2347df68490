package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolAcquireTimeoutException;
import dev.pooled.PoolStats;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A smoke test of the same paths on MariaDB (MySQL Connector/J): two autosized, throttled pools with breakers share
 * a budget under contention; the budget holds server-side, the high-priority pool is served first, λ and W are
 * measured, and everything is back afterwards.
 */
@Timeout(120)
class AdaptiveMysqlIT {
    private static final int BUDGET = 4;
    private final String high = Servers.tag("myhigh");
    private final String low = Servers.tag("mylow");
    private final String budget = Servers.tag("mybudget");

    @BeforeAll
    static void createUser() throws SQLException {
        Servers.ensureMysqlUser();
    }

    @AfterEach
    void closePools() {
        Servers.closePools(high);
        Servers.closePools(low);
    }

    private String url(String service, int priority) {
        return "jdbc:pooled:" + Servers.MYSQL.substring("jdbc:".length()) + "?user=" + Servers.MYSQL_USER
                + "&password=it-pw&pooled.service=" + service + "&pooled.priority=" + priority
                + "&pooled.max_connections=4&pooled.timeout_ms=200&pooled.budget=" + budget + "&pooled.budget_max="
                + BUDGET;
    }

    @Test
    void sizingThrottlingBreakerAndBudgetWorkOnMariaDb() throws Exception {
        String uh = url(high, 9);
        String ul = url(low, 1);
        DriverManager.getConnection(uh).close();
        try {
            DriverManager.getConnection(ul).close();
        } catch (PoolAcquireTimeoutException e) {
            // its first share comes when the high pool gives a connection back (see BudgetPriorityIT)
        }
        ConnectionPool ph = Servers.pool(high);
        ConnectionPool pl = Servers.pool(low);
        await().atMost(5, TimeUnit.SECONDS).until(() -> pl.limit() >= 1);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<LoadDriver.Result> lh = load(uh, stop);
        CompletableFuture<LoadDriver.Result> ll = load(ul, stop);
        int maxSessions = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() < end) {
            maxSessions = Math.max(maxSessions, Servers.mysqlSessions());
            TimeUnit.MILLISECONDS.sleep(20);
        }
        PoolStats sh = ph.stats();
        PoolStats sl = pl.stats();
        LoadDriver.Result rh = lh.get(30, TimeUnit.SECONDS);
        LoadDriver.Result rl = ll.get(30, TimeUnit.SECONDS);
        System.out.printf("mariadb smoke: high %s share %d λ=%.0f/s W=%.2f ms; low %s share %d; server sessions max"
                + " %d of budget %d%n", rh, sh.budgetShare(), sh.arrivalRate(), sh.holdTimeMicros() / 1e3, rl,
                sl.budgetShare(), maxSessions, BUDGET);
        assertThat(rh.unexpected).isEmpty();
        assertThat(rl.unexpected).isEmpty();
        assertThat(sh.budgetShare()).isEqualTo(3);
        assertThat(sl.budgetShare()).isEqualTo(1);
        assertThat(rh.served.sum()).isGreaterThan(2 * rl.served.sum());
        assertThat(maxSessions).isLessThanOrEqualTo(BUDGET);
        assertThat(sh.arrivalRate()).isPositive();
        assertThat(sh.holdTimeMicros() / 1e3).as("W, ms, for do sleep(0.01)").isBetween(9.0, 40.0);
        assertThat(sh.breakerState()).isEqualTo("closed");
        assertThat(sh.targetSize()).isEqualTo(3);
        assertThat(ph.active()).isZero();
        assertThat(pl.active()).isZero();
        await().atMost(5, TimeUnit.SECONDS).until(() -> ph.limit() == 3 && pl.limit() == 1);
    }

    private static CompletableFuture<LoadDriver.Result> load(String u, AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return LoadDriver.closedLoop(6, 4, 100_000, () -> DriverManager.getConnection(u), c -> {
                    try (Statement st = c.createStatement()) {
                        st.execute("do sleep(0.01)");
                    }
                }, stop);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> new Thread(r).start());
    }
}
