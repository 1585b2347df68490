package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ConnectionPoolTest {

    private static ConnectionPool pool(StubDataSource ds, int max, int queue, long timeoutMs) throws SQLException {
        return ConnectionPool.start(PoolConfig.builder().service("unit").dbRole("stub").maxConnections(max)
                .maxQueue(queue).timeout(Duration.ofMillis(timeoutMs)).build(), ds);
    }

    @Test
    void anEvictedConnectionIsClosedForGoodAndItsPermitComesBack() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = pool(ds, 1, 0, 1000); ConnectionPool other = ConnectionPool.start(PoolConfig.builder()
                .service("unit-other").dbRole("stub").maxConnections(1).build(), new StubDataSource())) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 1);
            Connection c = p.getConnection();
            int closedBefore = ds.closed.get();
            p.evict(c);
            assertThat(c.isClosed()).isTrue();
            assertThat(p.active()).isZero();
            await().atMost(5, TimeUnit.SECONDS).until(() -> ds.closed.get() == closedBefore + 1);
            c.close(); // harmless after an eviction
            assertThat(p.active()).isZero();
            // the pool opens a fresh physical connection and serves it
            try (Connection next = p.getConnection()) {
                assertThat(next.isValid(1)).isTrue();
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 1);

            Connection foreign = other.getConnection();
            assertThatThrownBy(() -> p.evict(foreign)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("not a connection it handed out");
            assertThat(other.active()).isEqualTo(1);
            foreign.close();
        }
    }

    @Test
    void anOutOfRangePriorityIsATypedSqlExceptionAndTakesNoPermit() throws Exception {
        try (ConnectionPool p = pool(new StubDataSource(), 1, 0, 1000)) {
            for (int bad : new int[] {PoolConfig.MIN_PRIORITY - 1, PoolConfig.MAX_PRIORITY + 1}) {
                assertThatThrownBy(() -> p.getConnection(bad)).isInstanceOfSatisfying(PoolInvalidPriorityException.class,
                        e -> {
                            assertThat(e.getSQLState()).isEqualTo("22023");
                            assertThat(e.getErrorCode()).isEqualTo(1016);
                            assertThat(e.getMessage()).contains("priority", "from 0 to 9", "was " + bad);
                        });
            }
            assertThat(p.active()).isZero();
            p.getConnection(PoolConfig.MAX_PRIORITY).close();
        }
    }

    @Test
    void closingTwiceOrThroughAStatementReturnsThePermitOnce() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = pool(ds, 2, 0, 1000)) {
            Connection c = p.getConnection();
            assertThat(p.active()).isEqualTo(1);
            c.close();
            c.close();
            assertThat(p.active()).isZero();
            Connection a = p.getConnection();
            Connection b = p.getConnection();
            assertThatThrownBy(p::getConnection).isInstanceOf(PoolQueueFullException.class)
                    .hasMessageContaining("unit/stub").hasMessageContaining("max_queue=0");
            a.close();
            b.close();
            assertThat(p.active()).isZero();
        }
    }

    @Test
    void aTimedOutWaiterGetsTheDocumentedErrorNamingThePool() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = pool(ds, 1, 5, 120)) {
            Connection held = p.getConnection();
            long t0 = System.nanoTime();
            assertThatThrownBy(p::getConnection).isInstanceOfSatisfying(PoolAcquireTimeoutException.class, e -> {
                assertThat(e.getSQLState()).isEqualTo("08001");
                assertThat(e.getErrorCode()).isEqualTo(1002);
                assertThat(e.errorCode()).isEqualTo(ErrorCode.ACQUIRE_TIMEOUT);
                assertThat(e.getMessage()).contains("pool unit/stub", "timeout_ms=120", "limit=1", "max_queue=5");
            });
            // Never before the deadline; the upper bound only catches a wait that ignores it (a loaded machine
            // wakes the waiter late, so it is far from the deadline on purpose).
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(120L, 3_000L);
            held.close();
        }
    }

    @Test
    void aPoolWhoseDatabaseIsDownDoesNotStartAndSaysWhy() {
        StubDataSource ds = new StubDataSource();
        ds.failing = true;
        assertThatThrownBy(() -> pool(ds, 1, 0, 100)).isInstanceOfSatisfying(PoolStartException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("08001");
            assertThat(e.getMessage()).contains("unit/stub", "stub database is down");
        });
    }

    @Test
    void closeWakesWaitersRefusesNewcomersAndClosesConnectionsAsTheyReturn() throws Exception {
        StubDataSource ds = new StubDataSource();
        ConnectionPool p = pool(ds, 2, 5, 20_000);
        await().atMost(5, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 2);
        Connection a = p.getConnection();
        Connection b = p.getConnection();
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                p.getConnection().close();
                return null;
            } catch (SQLException e) {
                return e;
            }
        }, r -> new Thread(r).start());
        await().atMost(5, TimeUnit.SECONDS).until(() -> p.queued() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> p.close(Duration.ofSeconds(20)),
                r -> new Thread(r).start());
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(PoolClosedException.class)
                .hasMessageContaining("unit/stub is closed");
        assertThatThrownBy(p::getConnection).isInstanceOf(PoolClosedException.class);
        assertThat(closing).isNotDone();
        a.close();
        b.close();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(ds.closed.get()).isEqualTo(ds.opened.get());
    }

    /**
     * Many threads, random timeouts, connections closed from other threads and interrupts: afterwards every
     * permit and every physical connection is accounted for.
     */
    @Test
    void permitAccountingBalancesUnderStress() throws Exception {
        StubDataSource ds = new StubDataSource();
        int max = 4;
        ConnectionPool p = pool(ds, max, 8, 30);
        ExecutorService closers = Executors.newFixedThreadPool(3);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger overLimit = new AtomicInteger();
        AtomicInteger holding = new AtomicInteger();
        AtomicLong deadline = new AtomicLong(System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
        List<Thread> threads = new ArrayList<>();
        // A worker's AssertionError dies with its thread unless collected: the test fails on every one of them.
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 0; i < 24; i++) {
            Thread t = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int n = 0; n < 2_000 && System.nanoTime() < deadline.get(); n++) {
                    try {
                        Connection c = p.getConnection(rnd.nextInt(10));
                        served.incrementAndGet();
                        if (holding.incrementAndGet() > max) {
                            overLimit.incrementAndGet();
                        }
                        if (rnd.nextInt(4) == 0) {
                            try {
                                TimeUnit.MICROSECONDS.sleep(rnd.nextInt(500)); // simulated work
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt(); // the caller still closes what it holds
                            }
                        }
                        holding.decrementAndGet();
                        if (rnd.nextBoolean()) {
                            closers.execute(() -> quietClose(c));
                        } else {
                            c.close();
                        }
                    } catch (PoolQueueFullException e) {
                        rejected.incrementAndGet();
                    } catch (PoolAcquireTimeoutException e) {
                        timedOut.incrementAndGet();
                        Thread.interrupted();
                    } catch (SQLException e) {
                        throw new AssertionError(e);
                    }
                }
            });
            t.setUncaughtExceptionHandler((thread, e) -> failures.add(e));
            threads.add(t);
            t.start();
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < deadline.get()) {
            threads.get(rnd.nextInt(threads.size())).interrupt();
            TimeUnit.MILLISECONDS.sleep(5); // pacing of the interrupter, not a wait for a condition
        }
        for (Thread t : threads) {
            t.join(10_000);
            assertThat(t.isAlive()).as("worker %s finished", t.getName()).isFalse();
        }
        assertThat(failures).as("worker failures").isEmpty();
        closers.shutdown();
        assertThat(closers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overLimit.get()).isZero();
        assertThat(served.get()).isPositive();
        assertThat(rejected.get() + timedOut.get()).isPositive();
        assertThat(p.active()).isZero();
        assertThat(p.queued()).isZero();
        assertThat(p.physicalConnections()).isLessThanOrEqualTo(max);
        // every permit is back: the whole limit can be taken at once, and not one more
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            all.add(p.getConnection());
        }
        assertThatThrownBy(() -> p.getConnection()).isInstanceOf(SQLException.class);
        for (Connection c : all) {
            c.close();
        }
        p.close(Duration.ofSeconds(5));
        assertThat(ds.closed.get()).isEqualTo(ds.opened.get());
    }

    private static void quietClose(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
