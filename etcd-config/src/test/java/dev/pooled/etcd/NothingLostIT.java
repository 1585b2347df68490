package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing is lost: invalid records are refused with a reason and counted while the last good config stays; an etcd
 * restart and a compaction of the history the watch still needed lose no update; a pool started while etcd is down
 * serves on its own settings and takes the record when etcd returns. Runs against an etcd of its own.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NothingLostIT {
    private PrivateEtcd etcdServer;
    private TcpProxy proxy;
    private Client direct;
    private EtcdSettings poolSide;
    private PooledDataSource ds;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String service = "lost-" + run;
    private String key;

    @BeforeEach
    void setUp() throws Exception {
        etcdServer = new PrivateEtcd();
        proxy = new TcpProxy(etcdServer.port());
        direct = EtcdSettings.builder().endpoints(etcdServer.endpoint()).build().newClient();
        poolSide = EtcdSettings.builder().endpoints(proxy.endpoint()).timeout(Duration.ofSeconds(2)).build();
        key = poolSide.keys().config(service, "app");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ds != null) {
            ds.close();
        }
        direct.close();
        proxy.close();
        etcdServer.close();
    }

    private PooledDataSource start(String instance) throws Exception {
        return Pg.pool(Pg.URL, Pg.USER, null, poolSide, instance, "h4-lost-" + run,
                Map.of("service", service, "db_role", "app", "max_connections", "10", "sizing", "fixed",
                        "min_idle", "1"),
                Instrumentation.builder().meterRegistry(registry).jmx(false).build());
    }

    private double rejected(String reason) {
        Counter c = registry.find("pooled.config.rejected").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private void awaitApplied(long version, int maxConnections) {
        await().atMost(Duration.ofSeconds(40)).until(() -> ds.stats().configVersion() == version);
        assertThat(ds.pool().config().maxConnections()).isEqualTo(maxConnections);
    }

    private void refusedAndKept(String record, String reason, long keptVersion, int keptMax) throws Exception {
        double before = rejected(reason);
        EtcdTesting.put(direct, key, record);
        await().atMost(Duration.ofSeconds(30)).until(() -> rejected(reason) == before + 1);
        assertThat(ds.stats().configVersion()).isEqualTo(keptVersion);
        assertThat(ds.pool().config().maxConnections()).isEqualTo(keptMax);
        query();
    }

    private void query() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void invalidRecordsRestartAndCompactionLoseNothing() throws Exception {
        ds = start("lost-1");
        long v1 = EtcdTesting.put(direct, key, "{\"max_connections\": 5}");
        awaitApplied(v1, 5);

        refusedAndKept("{\"max_connections\": 6", "bad_json", v1, 5);
        refusedAndKept("{\"max_conections\": 6}", "unknown_field", v1, 5);
        refusedAndKept("{\"max_connections\": \"6\"}", "bad_type", v1, 5);
        refusedAndKept("{\"max_connections\": 0}", "out_of_range", v1, 5);
        refusedAndKept("{\"mode\": \"transaction\"}", "not_live", v1, 5);
        // The running pool itself refuses what it cannot change live (it runs sizing=fixed).
        refusedAndKept("{\"max_connections\": 6, \"sizing\": \"littles_law\"}", "not_live", v1, 5);
        assertThat(ds.stats().configVersion()).isEqualTo(v1);

        long v2 = EtcdTesting.put(direct, key, "{\"max_connections\": 6}");
        awaitApplied(v2, 6);

        // etcd restarts: the pool keeps serving meanwhile, and the next update arrives.
        etcdServer.stop();
        query();
        etcdServer.start();
        long v3 = EtcdTesting.put(direct, key, "{\"max_connections\": 7}");
        awaitApplied(v3, 7);

        // The pool falls behind (its connection to etcd cut), two updates happen and the history it would resume
        // from is compacted away; when it reconnects it must end on the last update.
        proxy.block();
        EtcdTesting.put(direct, key, "{\"max_connections\": 3}");
        long v5 = EtcdTesting.put(direct, key, "{\"max_connections\": 8}");
        direct.getKVClient().compact(v5).get(10, TimeUnit.SECONDS);
        query();
        proxy.unblock();
        awaitApplied(v5, 8);
    }

    @Test
    void aPoolStartedWhileEtcdIsDownServesOnItsUrlAndTakesTheRecordLater() throws Exception {
        long v1 = EtcdTesting.put(direct, key, "{\"max_connections\": 4}");
        etcdServer.stop();
        long t0 = System.nanoTime();
        ds = start("lost-2");
        // Start is bounded by the etcd deadline (2 s here), not held until etcd returns.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(ds.pool().config().maxConnections()).isEqualTo(10);
        assertThat(ds.stats().configVersion()).isZero();
        query();
        etcdServer.start();
        awaitApplied(v1, 4);
    }
}
