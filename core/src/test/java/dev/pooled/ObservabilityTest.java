package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ObservabilityTest {

    private static ConnectionPool pool(String service, int max, int queue, long timeoutMs, Instrumentation inst)
            throws SQLException {
        return ConnectionPool.start(PoolConfig.builder().service(service).dbRole("stub").maxConnections(max)
                .maxQueue(queue).timeout(Duration.ofMillis(timeoutMs)).build(), new StubDataSource(), inst);
    }

    private static double count(MeterRegistry r, String name, String... tags) {
        return r.get(name).tags(tags).meters().stream().mapToDouble(m -> {
            if (m instanceof Timer) {
                return ((Timer) m).count();
            }
            return m.measure().iterator().next().getValue();
        }).sum();
    }

    @Test
    void metersMoveWithAKnownWorkload() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ConnectionPool p = pool("obs", 1, 1, 500,
                Instrumentation.builder().meterRegistry(registry).jmx(false).build())) {
            for (int i = 0; i < 25; i++) {
                p.getConnection().close();
            }
            // Every acquisition is counted; only those that waited (>= 10 us) are timed: admitted at once, these
            // were not, except perhaps the very first (cold code).
            assertThat(count(registry, MetricNames.ACQUISITIONS)).isEqualTo(25);
            assertThat(registry.get(MetricNames.WAIT_TIME).tag("pool", "obs/stub").timer().count())
                    .isLessThanOrEqualTo(25);
            assertThat(registry.get(MetricNames.USE_TIME).timer().count()).isEqualTo(25);

            Connection held = p.getConnection();
            assertThat(count(registry, MetricNames.CONNECTION_COUNT, "state", "used")).isEqualTo(1);
            assertThat(count(registry, MetricNames.UTILIZATION)).isEqualTo(1.0);
            // a forced wait: a second caller waits until the first one closes
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try {
                    p.getConnection().close();
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            }, r -> new Thread(r).start());
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.queued() == 1);
            assertThat(count(registry, MetricNames.PENDING_REQUESTS)).isEqualTo(1);
            assertThat(count(registry, MetricNames.QUEUE_DEPTH)).isEqualTo(1);
            // a full queue and a timeout, each counted by reason
            assertThatThrownBy(p::getConnection).isInstanceOf(PoolQueueFullException.class);
            long holdStart = System.nanoTime();
            await().pollDelay(Duration.ofMillis(60)).atMost(5, TimeUnit.SECONDS).until(() -> true);
            held.close();
            long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - holdStart);
            waiter.get(5, TimeUnit.SECONDS);
            Timer wait = registry.get(MetricNames.WAIT_TIME).timer();
            assertThat(count(registry, MetricNames.ACQUISITIONS)).isEqualTo(27);
            assertThat(wait.count()).as("the forced wait is timed").isBetween(1L, 27L);
            assertThat(wait.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(heldMs * 0.9);
            assertThat(registry.get(MetricNames.USE_TIME).timer().max(TimeUnit.MILLISECONDS))
                    .isGreaterThanOrEqualTo(heldMs - 1);

            Connection again = p.getConnection();
            CompletableFuture<Throwable> timedOut = CompletableFuture.supplyAsync(() -> {
                try {
                    p.getConnection().close();
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            }, r -> new Thread(r).start());
            assertThat(timedOut.get(5, TimeUnit.SECONDS)).isInstanceOf(PoolAcquireTimeoutException.class);
            again.close();

            assertThat(count(registry, MetricNames.REJECTIONS, "reason", "queue_full")).isEqualTo(1);
            assertThat(count(registry, MetricNames.REJECTIONS, "reason", "timeout")).isEqualTo(1);
            assertThat(count(registry, MetricNames.TIMEOUTS)).isEqualTo(1);
            assertThat(count(registry, MetricNames.CONNECTION_MAX)).isEqualTo(1);
            assertThat(count(registry, MetricNames.LIMIT)).isEqualTo(1);
            assertThat(registry.get(MetricNames.CREATE_TIME).timer().count()).isPositive();

            PoolStats s = p.stats();
            assertThat(s.acquired()).isEqualTo(28);
            assertThat(s.rejections(RejectReason.QUEUE_FULL)).isEqualTo(1);
            assertThat(s.timeouts()).isEqualTo(1);
            assertThat(s.rejected()).isEqualTo(2);
            assertThat(s.waitTime().count()).isEqualTo(28);
            assertThat(s.waitTime().maxMicros()).isGreaterThanOrEqualTo(heldMs * 900.0);
            assertThat(s.useTime().maxMicros()).isGreaterThanOrEqualTo((heldMs - 1) * 1000.0);
            assertThat(s.active()).isZero();
            assertThat(s.limit()).isEqualTo(1);
        }
        assertThat(registry.find(MetricNames.WAIT_TIME).meters()).as("meters go with the pool").isEmpty();
    }

    @Test
    void anEmptyCompositeRegistryCostsNoTimingUntilARegistryJoinsIt() throws Exception {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        try (ConnectionPool p = pool("composite", 1, 1, 500,
                Instrumentation.builder().meterRegistry(composite).jmx(false).build())) {
            for (int i = 0; i < 5; i++) {
                p.getConnection().close();
            }
            assertThat(p.stats().acquired()).isEqualTo(5);
            assertThat(p.stats().useTime().count()).as("nobody consumes use times yet").isZero();
            assertThat(p.stats().waitTime().count()).as("zero waits still counted").isEqualTo(5);
            SimpleMeterRegistry joined = new SimpleMeterRegistry();
            composite.add(joined);
            // the control thread notices within an epoch and installs HikariCP's tracker
            await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
                p.getConnection().close();
                assertThat(joined.get(MetricNames.USE_TIME).timer().count()).isPositive();
            });
            assertThat(p.stats().useTime().count()).isPositive();
        }
    }

    @Test
    void timersDeniedByAMeterFilterAreNotRecordedWhileCountersAndStatsStay() throws Exception {
        // docs/benchmarks.md offers this to users who want no per-borrow Micrometer cost.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(MeterFilter.denyNameStartsWith(MetricNames.WAIT_TIME))
                .meterFilter(MeterFilter.denyNameStartsWith(MetricNames.USE_TIME));
        try (ConnectionPool p = pool("denied", 1, 1, 500,
                Instrumentation.builder().meterRegistry(registry).jmx(false).build())) {
            for (int i = 0; i < 5; i++) {
                p.getConnection().close();
            }
            assertThat(registry.find(MetricNames.WAIT_TIME).timer()).isNull();
            assertThat(registry.find(MetricNames.USE_TIME).timer()).isNull();
            assertThat(registry.find(MetricNames.CONNECTION_COUNT).gauges()).isNotEmpty();
            assertThat(p.stats().waitTime().count()).isEqualTo(5);
        }
    }

    @Test
    void aPrometheusScrapeShowsTheDocumentedNames() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ConnectionPool p = pool("prom", 2, 5, 100,
                Instrumentation.builder().meterRegistry(prometheus).jmx(false).build())) {
            p.getConnection().close();
            String text = prometheus.scrape();
            assertThat(text).contains(
                    "db_client_connection_count{db_role=\"stub\",pool=\"prom/stub\",service=\"prom\",state=\"idle\"}",
                    "db_client_connection_count{db_role=\"stub\",pool=\"prom/stub\",service=\"prom\",state=\"used\"}",
                    "db_client_connection_max{", "db_client_connection_idle_min{",
                    "db_client_connection_pending_requests{", "db_client_connection_timeouts_total{",
                    "db_client_connection_create_time_seconds_count{", "db_client_connection_wait_time_seconds_count{",
                    "db_client_connection_wait_time_seconds_bucket{", "le=\"0.01\"",
                    "db_client_connection_use_time_seconds_count{", "pooled_pool_utilization{",
                    "pooled_queue_depth{", "pooled_queue_max{", "pooled_rejections_total{",
                    "reason=\"queue_full\"", "pooled_limit{", "pooled_paused{", "pooled_leaks_detected_total{",
                    "pooled_leaks_reclaimed_total{", "pooled_transaction_time_seconds_count{");
        }
    }

    @Test
    void theMBeanLivesAndDiesWithThePoolAndMatchesStats() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName on = new ObjectName("dev.pooled:type=Pool,service=jmx,db_role=stub");
        ConnectionPool p = pool("jmx", 2, 5, 100, Instrumentation.builder().meterRegistry(new SimpleMeterRegistry())
                .build());
        try {
            assertThat(p.mbeanName()).isEqualTo(on);
            Connection c = p.getConnection();
            PoolStats s = p.stats();
            assertThat(server.getAttribute(on, "Limit")).isEqualTo(s.limit());
            assertThat(server.getAttribute(on, "Active")).isEqualTo(1);
            assertThat(server.getAttribute(on, "QueueDepth")).isEqualTo(0);
            assertThat(server.getAttribute(on, "Rejected")).isEqualTo(0L);
            assertThat(server.getAttribute(on, "TimedOut")).isEqualTo(0L);
            assertThat(server.getAttribute(on, "Leaked")).isEqualTo(0L);
            assertThat(server.getAttribute(on, "WaitP99Micros")).isEqualTo(Math.round(s.waitTime().p99Micros()));
            assertThat((Integer) server.getAttribute(on, "Idle")).isBetween(0, 1);
            c.close();
            server.invoke(on, "pause", null, null);
            assertThat(server.getAttribute(on, "Paused")).isEqualTo(true);
            assertThatThrownBy(p::getConnection).as("paused: callers queue and time out")
                    .isInstanceOf(PoolAcquireTimeoutException.class);
            server.invoke(on, "resume", null, null);
            p.getConnection().close();
            server.invoke(on, "softEvictIdle", null, null);
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.stats().total() >= 1);

            ConnectionPool twin = pool("jmx", 1, 0, 100, Instrumentation.builder()
                    .meterRegistry(new SimpleMeterRegistry()).build());
            assertThat(twin.mbeanName().toString()).isEqualTo("dev.pooled:type=Pool,service=jmx,db_role=stub,pool=2");
            twin.close();
        } finally {
            p.close();
        }
        assertThat(server.isRegistered(on)).isFalse();
    }

    @Test
    void aPausedPoolServesItsWaitersOnResume() throws Exception {
        try (ConnectionPool p = pool("pause", 1, 5, 5_000,
                Instrumentation.builder().meterRegistry(new SimpleMeterRegistry()).jmx(false).build())) {
            p.pause();
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try {
                    p.getConnection().close();
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
            }, r -> new Thread(r).start());
            await().atMost(5, TimeUnit.SECONDS).until(() -> p.queued() == 1);
            assertThat(p.stats().paused()).isTrue();
            p.resume();
            waiter.get(5, TimeUnit.SECONDS);
            assertThat(p.active()).isZero();
        }
    }

    @Test
    void listenersHearAcquireReleaseAndRejection() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        PoolListener listener = new PoolListener() {
            @Override
            public void acquired(String pool, long waitNanos) {
                events.add("acquired " + pool);
            }

            @Override
            public void released(String pool, long heldMillis) {
                events.add("released " + pool);
            }

            @Override
            public void rejected(String pool, RejectReason reason) {
                events.add("rejected " + reason.tag());
            }
        };
        try (ConnectionPool p = pool("listen", 1, 0, 100, Instrumentation.builder()
                .meterRegistry(new SimpleMeterRegistry()).listener(listener).jmx(false).build())) {
            Connection c = p.getConnection();
            assertThatThrownBy(p::getConnection).isInstanceOf(PoolQueueFullException.class);
            c.close();
        }
        assertThat(events).containsExactly("acquired listen/stub", "rejected queue_full", "released listen/stub");
    }

    @Test
    void anAcquireSpanCarriesPoolOutcomeWaitAndQueuePosition() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        try (ConnectionPool p = pool("trace", 1, 0, 100, Instrumentation.builder()
                .meterRegistry(new SimpleMeterRegistry()).tracer(provider.get("test")).jmx(false).build())) {
            Connection c = p.getConnection();
            assertThatThrownBy(p::getConnection).isInstanceOf(PoolQueueFullException.class);
            c.close();
        }
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).extracting(SpanData::getName).containsExactly(MetricNames.SPAN_ACQUIRE,
                MetricNames.SPAN_ACQUIRE);
        assertThat(spans.get(0).getAttributes().get(AttributeKey.stringKey(MetricNames.ATTR_POOL_NAME)))
                .isEqualTo("trace/stub");
        assertThat(spans.get(0).getAttributes().get(AttributeKey.stringKey(MetricNames.ATTR_OUTCOME)))
                .isEqualTo("acquired");
        assertThat(spans.get(0).getAttributes().get(AttributeKey.longKey(MetricNames.ATTR_QUEUE_POSITION)))
                .isEqualTo(0L);
        assertThat(spans.get(0).getAttributes().get(AttributeKey.doubleKey(MetricNames.ATTR_WAIT_MS))).isNotNull();
        assertThat(spans.get(1).getAttributes().get(AttributeKey.stringKey(MetricNames.ATTR_OUTCOME)))
                .isEqualTo("queue_full");
        provider.close();
    }
}
