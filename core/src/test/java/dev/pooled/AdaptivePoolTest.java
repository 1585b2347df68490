package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The breaker, the rate limit, the budget and their figures, on the stub database. */
@Timeout(60)
class AdaptivePoolTest {

    private static PoolConfig.Builder config(String service) {
        return PoolConfig.builder().service(service).dbRole("stub").maxConnections(2).maxQueue(10)
                .timeout(Duration.ofMillis(100));
    }

    /** Borrows until one is refused by the breaker (acquire timeouts are the failures that open it). */
    private static void awaitBreakerOpen(ConnectionPool p) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> {
            try {
                p.getConnection().close();
            } catch (PoolCircuitOpenException e) {
                return true;
            } catch (PoolAcquireTimeoutException e) {
                return false;
            }
            return false;
        });
    }

    @Test
    void theBreakerOpensOnFailedAcquisitionsFailsCallersFastAndClosesWhenTheDatabaseAnswers() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = ConnectionPool.start(config("breaker").breakerOpen(Duration.ofMillis(300)).build(),
                ds)) {
            p.getConnection().close();
            assertThat(p.stats().breakerState()).isEqualTo("closed");
            ds.failing = true;
            p.softEvictIdle();
            awaitBreakerOpen(p);
            assertThat(p.stats().breakerState()).isIn("open", "half_open");
            List<Long> rejections = new ArrayList<>();
            int fast = 0;
            for (int i = 0; i < 3_000; i++) {
                long t0 = System.nanoTime();
                try {
                    p.getConnection().close();
                } catch (PoolCircuitOpenException e) {
                    if (i >= 2_000) { // the first ones run interpreted
                        rejections.add(System.nanoTime() - t0);
                    }
                    fast++;
                    assertThat(e.getSQLState()).isEqualTo("08004");
                    assertThat(e.getErrorCode()).isEqualTo(1012);
                    assertThat(e.getMessage()).contains("breaker", "breaker/stub");
                } catch (PoolAcquireTimeoutException e) {
                    // a half-open probe that met the still failing database
                }
            }
            assertThat(fast).isGreaterThan(2_500);
            rejections.sort(null);
            // The median holds on a loaded machine (preemption hits a few calls, not half of them); the tail and the
            // microsecond figures are AcquireReleaseBenchmark.Rejection's.
            long p50 = rejections.get(rejections.size() / 2);
            assertThat(TimeUnit.NANOSECONDS.toMicros(p50)).as("median rejection, µs").isLessThan(1_000);
            assertThat(p.stats().rejections(RejectReason.CIRCUIT_OPEN)).isGreaterThanOrEqualTo(fast);

            ds.failing = false;
            // Probes go through every breaker_open_ms; once two in a row get connections, it closes.
            await().atMost(15, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    p.getConnection().close();
                } catch (SQLException e) {
                    // open, or a probe that met HikariCP still backing off
                }
                return p.stats().breakerState().equals("closed");
            });
            p.getConnection().close();
            assertThat(p.stats().breakerState()).isEqualTo("closed");
        }
    }

    @Test
    void aColdPoolWhoseConnectionsOpenSlowerThanTheTimeoutDoesNotOpenItsBreaker() throws Exception {
        // Each connection takes 30 ms to open, one after another; eight callers hold what they get. Callers 4-8 time
        // out in HikariCP after 100 ms while the pool fills: a shortage, not a failing database. (A timeout would
        // count only if no connection opened for a whole 100 ms.)
        StubDataSource ds = new StubDataSource();
        ds.openDelayMillis = 30;
        int callers = 8;
        try (ConnectionPool p = ConnectionPool.start(config("coldstart").maxConnections(callers).sizing(SizingMode.FIXED)
                .timeout(Duration.ofMillis(100)).build(), ds)) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger served = new AtomicInteger();
            AtomicInteger timedOut = new AtomicInteger();
            List<Throwable> unexpected = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Thread t = new Thread(() -> {
                    try (Connection c = p.getConnection()) {
                        served.incrementAndGet();
                        release.await();
                    } catch (PoolAcquireTimeoutException e) {
                        timedOut.incrementAndGet();
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            await().atMost(10, TimeUnit.SECONDS).until(() -> served.get() + timedOut.get() + unexpected.size()
                    == callers);
            assertThat(timedOut.get()).as("callers that timed out while the pool filled").isPositive();
            // Three feeds of the breaker (every 100 ms) see those timeouts; it must stay closed through them.
            await().during(Duration.ofMillis(350)).atMost(2, TimeUnit.SECONDS)
                    .until(() -> p.stats().breakerState().equals("closed"));
            release.countDown();
            for (Thread t : threads) {
                t.join(5_000);
            }
            assertThat(unexpected).isEmpty();
            p.getConnection().close();
        }
    }

    @Test
    void aDatabaseThatHangsOnConnectOpensTheBreaker() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = ConnectionPool.start(config("hang").timeout(Duration.ofMillis(40)).build(), ds)) {
            p.getConnection().close();
            ds.openDelayMillis = 60_000;
            p.softEvictIdle();
            awaitBreakerOpen(p);
            assertThat(p.stats().breakerState()).isIn("open", "half_open");
        }
    }

    @Test
    void withTheBreakerOffFailuresNeverRejectFast() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = ConnectionPool.start(config("nobreaker").breakerFailureRate(0).build(), ds)) {
            ds.failing = true;
            p.softEvictIdle();
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> p.getConnection().close()).isInstanceOf(PoolAcquireTimeoutException.class);
            }
            assertThat(p.stats().breakerState()).isEqualTo("disabled");
        }
    }

    @Test
    void theRateLimitRejectsAtOnceBeyondItsRate() throws Exception {
        try (ConnectionPool p = ConnectionPool.start(config("rate").maxAcquireRate(20).build(),
                new StubDataSource())) {
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 50; i++) {
                try {
                    p.getConnection().close();
                    ok++;
                } catch (PoolRateLimitedException e) {
                    limited++;
                    assertThat(e.getSQLState()).isEqualTo("08004");
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.getMessage()).contains("max_acquire_rate=20");
                }
            }
            // 20 per second in periods of 100 ms with 2 permits each: a burst of 50 gets 2 to 4
            assertThat(ok).isBetween(2, 6);
            assertThat(limited).isEqualTo(50 - ok);
            assertThat(p.stats().rejections(RejectReason.RATE_LIMITED)).isEqualTo(limited);
        }
    }

    @Test
    void twoPoolsSharingABudgetNeverHoldMoreThanItTogether() throws Exception {
        String budget = "unit-" + System.nanoTime();
        StubDataSource a = new StubDataSource();
        StubDataSource b = new StubDataSource();
        try (ConnectionPool high = ConnectionPool.start(config("high").maxConnections(3).priority(9).budget(budget)
                .budgetMax(4).sizing(SizingMode.FIXED).build(), a);
                ConnectionPool low = ConnectionPool.start(config("low").maxConnections(3).priority(1).budget(budget)
                        .budgetMax(4).sizing(SizingMode.FIXED).build(), b)) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> high.stats().budgetShare() == 3
                    && low.stats().budgetShare() == 1 && high.physicalConnections() + low.physicalConnections() <= 4
                    && low.physicalConnections() == 1);
            assertThat(high.limit()).isEqualTo(3);
            assertThat(low.limit()).isEqualTo(1);
            assertThat(low.stats().budget()).isEqualTo(budget);
            assertThat(low.stats().sizingReason()).contains("budget");
            List<Connection> held = new ArrayList<>();
            held.add(low.getConnection());
            assertThatThrownBy(low::getConnection).isInstanceOf(SQLException.class);
            held.forEach(AdaptivePoolTest::close);
            assertThatThrownBy(() -> ConnectionPool.start(config("other").budget(budget).budgetMax(5).build(),
                    new StubDataSource())).isInstanceOfSatisfying(PoolBudgetConflictException.class,
                            e -> assertThat(e.getSQLState()).isEqualTo("HY024"));
        }
    }

    @Test
    void statsTheMBeanAndTheMetersShowTheControlLoops() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ConnectionPool p = ConnectionPool.start(config("figures").maxConnections(4).build(), new StubDataSource(),
                Instrumentation.builder().meterRegistry(registry).build())) {
            for (int i = 0; i < 50; i++) {
                p.getConnection().close();
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.stats().arrivalRate() > 0);
            PoolStats s = p.stats();
            assertThat(s.targetSize()).isEqualTo(4);
            assertThat(s.sizingReason()).startsWith("started with 4");
            assertThat(s.breakerState()).isEqualTo("closed");
            assertThat(s.budgetShare()).isEqualTo(-1);
            assertThat(s.holdTimeMicros()).isGreaterThanOrEqualTo(0);
            var server = ManagementFactory.getPlatformMBeanServer();
            assertThat(server.getAttribute(p.mbeanName(), "TargetSize")).isEqualTo(4);
            assertThat(server.getAttribute(p.mbeanName(), "BreakerState")).isEqualTo("closed");
            assertThat((String) server.getAttribute(p.mbeanName(), "SizingReason")).startsWith("started");
            assertThat(server.getAttribute(p.mbeanName(), "BudgetShare")).isEqualTo(-1);
            assertThat(registry.get("pooled.pool.target_size").gauge().value()).isEqualTo(4.0);
            assertThat(registry.get("pooled.breaker.state").gauge().value()).isZero();
            assertThat(registry.get("pooled.arrival_rate").gauge().value()).isPositive();
            assertThat(registry.find("pooled.hold_time").gauge()).isNotNull();
            assertThat(registry.find("pooled.offered_load").gauge()).isNotNull();
            assertThat(registry.find("pooled.pool.resizes").tag("direction", "grow").functionCounter()).isNotNull();
        }
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
