package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.etcd.internal.BudgetCodec;
import dev.pooled.etcd.internal.BudgetSpec;
import dev.pooled.jdbc.PooledDataSource;
import dev.pooled.metrics.MetricNames;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pools started by the driver's data source with {@code pooled.budget} and {@code pooled.etcd.endpoints} find the
 * global budget through the ServiceLoader extension: two services on one budget of 8, priorities 9 and 1, both
 * wanting 6; PostgreSQL sees at most 8 sessions of the two, the high one gets its 6, and the meters are there.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BudgetDriverIT {
    private String ns;
    private EtcdSettings etcd;
    private Client client;
    private final List<PooledDataSource> pools = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
        etcd = EtcdSettings.builder().endpoints(EtcdTesting.ENDPOINT).namespace(ns).timeout(Duration.ofSeconds(2))
                .leaseTtl(Duration.ofSeconds(5)).build();
        client = etcd.newClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        pools.forEach(PooledDataSource::close);
        EtcdTesting.wipe(client, ns);
        client.close();
    }

    @Test
    void theDriversPoolsShareTheBudgetByPriority() throws Exception {
        EtcdTesting.put(client, etcd.keys().budgetPrefix("orders-db") + "record",
                BudgetCodec.writeRecord(BudgetSpec.of(8, 0, 1, 2, 3000, false)));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String hiApp = "h5-hi-" + run;
        String loApp = "h5-lo-" + run;
        PooledDataSource hi = Pg.pool(Pg.URL, Pg.USER, null, etcd, "drv-hi-" + run, hiApp,
                Map.of("service", "checkout-" + run, "db_role", "app", "max_connections", "6", "sizing", "fixed",
                        "priority", "9", "budget", "orders-db", "budget_max", "8"),
                Instrumentation.builder().meterRegistry(registry).jmx(false).build());
        pools.add(hi);
        PooledDataSource lo = Pg.pool(Pg.URL, Pg.USER, null, etcd, "drv-lo-" + run, loApp,
                Map.of("service", "reports-" + run, "db_role", "app", "max_connections", "6", "sizing", "fixed",
                        "priority", "1", "budget", "orders-db", "budget_max", "8"),
                Instrumentation.builder().meterRegistry(registry).jmx(false).build());
        pools.add(lo);
        int maxSessions = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < end && !(hi.stats().budgetShare() == 6 && lo.stats().budgetShare() == 2
                && Pg.sessions(hiApp) == 6 && Pg.sessions(loApp) == 2)) {
            maxSessions = Math.max(maxSessions, Pg.sessions(hiApp) + Pg.sessions(loApp));
            Thread.sleep(20);
        }
        assertThat(hi.stats().budgetShare()).isEqualTo(6);
        assertThat(lo.stats().budgetShare()).isEqualTo(2);
        assertThat(maxSessions).isLessThanOrEqualTo(8);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.find(MetricNames.BUDGET_DEMAND)
                .tag(MetricNames.TAG_SERVICE, "checkout-" + run).gauge() != null);
        assertThat(registry.get(MetricNames.BUDGET_DEMAND).tag(MetricNames.TAG_SERVICE, "checkout-" + run).gauge()
                .value()).isEqualTo(6.0);
        assertThat(registry.get(MetricNames.BUDGET_LEASE).tag(MetricNames.TAG_SERVICE, "reports-" + run).gauge()
                .value()).isEqualTo(2.0);
        double allocators = registry.find(MetricNames.BUDGET_ALLOCATOR).gauges().stream()
                .mapToDouble(g -> g.value()).sum();
        assertThat(allocators).isEqualTo(1.0);
        System.out.println("budget driver: max sessions of both pools " + maxSessions + " (budget 8)");
    }
}
