package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A record change reaches every watching instance and is applied live: three pools, as three instances in one JVM,
 * shrink from 10 to 4 (PostgreSQL then sees at most 4 sessions of each) and grow to 12, under load.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LiveResizeIT {
    private String ns;
    private EtcdSettings etcd;
    private Client client;
    private final List<PooledDataSource> pools = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
        etcd = EtcdTesting.settings(ns);
        client = etcd.newClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        pools.forEach(PooledDataSource::close);
        EtcdTesting.wipe(client, ns);
        client.close();
    }

    @Test
    void shrinksAndGrowsEveryInstanceLive() throws Exception {
        String service = "resize-" + run;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String app = "h4-resize-" + run + "-" + i;
            apps.add(app);
            pools.add(Pg.pool(Pg.URL, Pg.USER, null, etcd, "resize-" + i, app,
                    Map.of("service", service, "db_role", "app", "max_connections", "10", "sizing", "fixed",
                            "timeout_ms", "20000"),
                    Instrumentation.builder().meterRegistry(registry).jmx(false).build()));
        }
        for (String app : apps) {
            await().atMost(Duration.ofSeconds(30)).until(() -> Pg.sessions(app) == 10);
        }
        String key = etcd.keys().config(service, "app");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(12);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            PooledDataSource ds = pools.get(t % pools.size());
            workers.add(load.submit(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!stop.get() && System.nanoTime() < end) {
                    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                        s.execute("select pg_sleep(0.005)");
                        done.incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        try {
            long v1 = EtcdTesting.put(client, key, "{\"max_connections\": 4}");
            for (PooledDataSource ds : pools) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ds.stats().configVersion() == v1);
                assertThat(ds.pool().config().maxConnections()).isEqualTo(4);
            }
            for (String app : apps) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Pg.sessions(app) <= 4);
            }
            // Under load the pools stay within the new size: sample the server for a while.
            int before = done.get();
            for (int i = 0; i < 20; i++) {
                for (String app : apps) {
                    assertThat(Pg.sessions(app)).as(app).isLessThanOrEqualTo(4);
                }
                Thread.sleep(100);
            }
            assertThat(done.get()).as("work goes on at the smaller size").isGreaterThan(before);

            long v2 = EtcdTesting.put(client, key, "{\"max_connections\": 12}");
            for (PooledDataSource ds : pools) {
                await().atMost(Duration.ofSeconds(30)).until(() -> ds.stats().configVersion() == v2);
                assertThat(ds.pool().config().maxConnections()).isEqualTo(12);
            }
            for (String app : apps) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Pg.sessions(app) == 12);
            }
        } finally {
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(30, TimeUnit.SECONDS);
            }
            load.shutdown();
        }
        assertThat(failures.get()).as("requests failed during the resizes").isZero();
        // Each instance reports what it runs under its lease-bound key.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String v = EtcdTesting.get(client, etcd.keys().instance(service, "resize-0"));
            return v != null && v.contains("\"max_connections\":12");
        });
    }
}
