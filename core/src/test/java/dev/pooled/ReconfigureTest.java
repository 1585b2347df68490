package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one door for live changes: {@link ConnectionPool#reconfigure(PoolConfig, long)}. */
@Timeout(60)
class ReconfigureTest {

    private static PoolConfig.Builder fixed(String service, int max) {
        return PoolConfig.builder().service(service).dbRole("stub").sizing(SizingMode.FIXED).minIdle(max)
                .maxConnections(max).maxQueue(10).timeout(Duration.ofSeconds(2));
    }

    @Test
    void liveSettingsApplyAndTheVersionIsVisibleEverywhere() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Instrumentation inst = Instrumentation.builder().meterRegistry(registry).build();
        try (ConnectionPool p = ConnectionPool.start(fixed("reconf-live", 2).build(), new StubDataSource(), inst)) {
            assertThat(p.stats().configVersion()).isZero();
            PoolConfig next = p.config().toBuilder().maxQueue(0).timeout(Duration.ofMillis(300)).priority(7)
                    .maxAcquireRate(1000).build();
            p.reconfigure(next, 42);

            assertThat(p.config()).isEqualTo(next);
            assertThat(p.stats().config()).isEqualTo(next);
            assertThat(p.stats().configVersion()).isEqualTo(42);
            assertThat(p.stats().maxQueue()).isZero();
            assertThat(registry.get("pooled.config.version").gauge().value()).isEqualTo(42.0);
            assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(p.mbeanName(), "ConfigVersion"))
                    .isEqualTo(42L);
            // max_queue=0 holds for the next caller: with both connections out, a third is turned away at once
            try (Connection a = p.getConnection(); Connection b = p.getConnection()) {
                assertThatThrownBy(p::getConnection).isInstanceOf(PoolQueueFullException.class)
                        .hasMessageContaining("max_queue=0");
            }
            // timeout_ms=300 holds too
            p.reconfigure(next.toBuilder().maxQueue(5).build(), 43);
            try (Connection a = p.getConnection(); Connection b = p.getConnection()) {
                long t0 = System.nanoTime();
                assertThatThrownBy(p::getConnection).isInstanceOf(PoolAcquireTimeoutException.class)
                        .hasMessageContaining("timeout_ms=300");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 1_900L);
            }
        }
    }

    @Test
    void aFixedSettingRefusesTheWholeConfigNamingEachKeyAndBothValues() throws Exception {
        try (ConnectionPool p = ConnectionPool.start(fixed("reconf-refuse", 2).build(), new StubDataSource())) {
            PoolConfig before = p.config();
            PoolConfig next = before.toBuilder().maxConnections(5).service("other").mode(PoolingMode.TRANSACTION)
                    .sizing(SizingMode.LITTLES_LAW).build();
            assertThatThrownBy(() -> p.reconfigure(next, 7)).isInstanceOfSatisfying(PoolConfigException.class, e -> {
                assertThat(e.violations()).extracting(PoolConfigException.Violation::key)
                        .containsExactly("service", "mode", "sizing");
                assertThat(e.getMessage()).contains("service=other: cannot change while the pool runs")
                        .contains("it runs with service=reconf-refuse").contains("mode=transaction")
                        .contains("it runs with mode=session");
            });
            // nothing was applied, not even the live max_connections
            assertThat(p.config()).isEqualTo(before);
            assertThat(p.stats().configVersion()).isZero();
            assertThat(p.limit()).isEqualTo(2);
        }
    }

    @Test
    void growingOpensConnectionsAndTheLimitFollows() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = ConnectionPool.start(fixed("reconf-grow", 2).build(), ds)) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 2);
            p.reconfigure(p.config().toBuilder().maxConnections(12).minIdle(12).build(), 1);
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(new int[] {p.limit(),
                    p.physicalConnections()}).as("limit, physical").containsExactly(12, 12));
            List<Connection> held = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                held.add(p.getConnection());
            }
            assertThat(p.active()).isEqualTo(12);
            for (Connection c : held) {
                c.close();
            }
            assertThat(p.stats().targetSize()).isEqualTo(12);
        }
    }

    @Test
    void shrinkingWaitsForBorrowedConnectionsToComeBack() throws Exception {
        StubDataSource ds = new StubDataSource();
        try (ConnectionPool p = ConnectionPool.start(fixed("reconf-shrink", 6).build(), ds)) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 6);
            List<Connection> held = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                held.add(p.getConnection());
            }
            p.reconfigure(p.config().toBuilder().maxConnections(2).minIdle(2).build(), 2);
            // the limit drops at once; the five borrowed keep their connections
            await().atMost(10, TimeUnit.SECONDS).until(() -> p.limit() == 2);
            assertThat(p.active()).isEqualTo(5);
            assertThat(held.get(0).isValid(1)).isTrue();
            // the idle one above the size is closed; the borrowed ones are not
            await().atMost(10, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 5);
            // nobody new is admitted while the debt is unpaid
            p.reconfigure(p.config().toBuilder().timeout(Duration.ofMillis(100)).build(), 3);
            assertThatThrownBy(p::getConnection).isInstanceOf(PoolAcquireTimeoutException.class);
            for (int i = 0; i < 4; i++) {
                held.remove(0).close();
            }
            assertThat(p.active()).isEqualTo(1);
            await().atMost(10, TimeUnit.SECONDS).until(() -> p.physicalConnections() == 2);
            // one permit free again: a caller gets in, a second one waits for the last borrowed connection
            try (Connection c = p.getConnection()) {
                assertThat(p.active()).isEqualTo(2);
            }
            held.remove(0).close();
            assertThat(p.active()).isZero();
            assertThat(p.physicalConnections()).isEqualTo(2);
        }
    }

    @Test
    void aClosedPoolTakesNoConfig() throws Exception {
        ConnectionPool p = ConnectionPool.start(fixed("reconf-closed", 1).build(), new StubDataSource());
        p.close();
        assertThatThrownBy(() -> p.reconfigure(p.config(), 1)).isInstanceOf(IllegalStateException.class);
    }
}
