package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 9 §4: interrupts inside HikariCP and of a closing thread. */
@Timeout(60)
class InterruptTest {

    @Test
    void anInterruptWhileAGrantedCallerWaitsInsideHikariIsAnInterruptionNotABreakerFailure() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = ConnectionPool.start(PoolConfig.builder().service("unit-int").dbRole("stub")
                .maxConnections(1).sizing(SizingMode.FIXED).throttling(ThrottleMode.OFF)
                .timeout(Duration.ofSeconds(20)).build(), ds)) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 1);
            // The one physical connection goes; its replacement takes long to open: the next caller gets the
            // gate's permit at once and then waits inside HikariCP.
            ds.openDelayMillis = 30_000;
            Connection c = p.getConnection();
            p.evict(c);
            AtomicReference<Throwable> got = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try (Connection x = p.getConnection()) {
                    got.set(new AssertionError("got a connection"));
                } catch (SQLException | RuntimeException e) {
                    got.set(e);
                }
                flag.set(Thread.currentThread().isInterrupted());
            });
            caller.start();
            await().atMost(10, TimeUnit.SECONDS).until(() -> p.active() == 1
                    && caller.getState() == Thread.State.TIMED_WAITING);
            caller.interrupt();
            caller.join(10_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(got.get()).isInstanceOfSatisfying(PoolAcquireTimeoutException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.ACQUIRE_INTERRUPTED));
            assertThat(flag.get()).as("the interrupt flag is kept").isTrue();
            assertThat(p.breaker().lastFailure()).as("not counted against the breaker").isNull();
            assertThat(p.active()).isZero();
            ds.openDelayMillis = 0;
        }
    }

    @Test
    void closeByAnInterruptedThreadNeitherSpinsNorLeavesConnectionsOpen() throws Exception {
        StubDataSource ds = new StubDataSource();
        ConnectionPool p = ConnectionPool.start(PoolConfig.builder().service("unit-close").dbRole("stub")
                .maxConnections(2).build(), ds);
        Connection held = p.getConnection();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicReference<Long> cpu = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            long t0 = mx.getCurrentThreadCpuTime();
            Thread.currentThread().interrupt();
            p.close(Duration.ofSeconds(10));
            cpu.set(mx.getCurrentThreadCpuTime() - t0);
            flag.set(Thread.currentThread().isInterrupted());
        });
        long start = System.nanoTime();
        closer.start();
        closer.join(20_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("an interrupt ends the drain wait")
                .isLessThan(Duration.ofSeconds(8));
        assertThat(Duration.ofNanos(cpu.get())).as("no spin").isLessThan(Duration.ofSeconds(2));
        assertThat(flag.get()).as("the interrupt flag is kept").isTrue();
        assertThat(p.isClosed()).isTrue();
        held.close();
        // HikariCP closed its idle connections (it aborts the one still borrowed): its close ran to the end
        await().atMost(5, TimeUnit.SECONDS).until(() -> ds.closed.get() >= ds.opened.get() - 1);
    }
}
