package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A change staged at 50 % reaches exactly the instances the hash picks, all on promote, none after rollback. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StagedRolloutIT {
    private String ns;
    private EtcdSettings etcd;
    private ConfigAdmin admin;
    private final List<PooledDataSource> pools = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
        etcd = EtcdTesting.settings(ns);
        admin = new ConfigAdmin(etcd);
    }

    @AfterEach
    void tearDown() throws Exception {
        pools.forEach(PooledDataSource::close);
        try (var c = etcd.newClient()) {
            EtcdTesting.wipe(c, ns);
        }
        admin.close();
    }

    @Test
    void stagePromoteRollback() throws Exception {
        String service = "rollout-" + run;
        long base = admin.set(service, "app", "{\"max_queue\": 50}", 0, false);
        List<InstanceId> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            InstanceId id = new InstanceId("roll-" + i);
            ids.add(id);
            pools.add(Pg.pool(Pg.URL, Pg.USER, null, etcd, id.value(), "h4-rollout-" + run + "-" + i,
                    Map.of("service", service, "db_role", "app", "max_connections", "2", "sizing", "fixed"),
                    Instrumentation.builder().jmx(false).build()));
        }
        // Started on the record, not on their URL's max_queue=200.
        for (PooledDataSource ds : pools) {
            assertThat(ds.pool().config().maxQueue()).isEqualTo(50);
            await().atMost(Duration.ofSeconds(20)).until(() -> ds.stats().configVersion() == base);
        }

        long staged = admin.stage(service, "app", "{\"max_queue\": 77}", 50, base, false);
        Set<String> expected = new TreeSet<>();
        for (InstanceId id : ids) {
            if (id.bucket() < 50) {
                expected.add(id.value());
            }
        }
        // The ids were chosen so that both groups are non-empty (buckets: roll-1 28, roll-2 8, roll-0 76, ...).
        assertThat(expected).containsExactly("roll-1", "roll-2", "roll-3", "roll-5", "roll-7", "roll-8");
        await().atMost(Duration.ofSeconds(30)).until(() -> running(ids, 77).equals(expected));
        // Non-staged instances stay on the record, and keep doing so.
        Thread.sleep(1_000);
        assertThat(running(ids, 77)).isEqualTo(expected);
        for (int i = 0; i < ids.size(); i++) {
            long v = pools.get(i).stats().configVersion();
            assertThat(v).isEqualTo(expected.contains(ids.get(i).value()) ? staged : base);
        }
        // Progress is visible under the instances' lease-bound keys.
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.instances(service).size() == 10
                && admin.instances(service).values().stream().filter(m -> m.toString()
                        .contains("source=rollout")).count() == expected.size());

        long promoted = admin.promote(service, "app");
        await().atMost(Duration.ofSeconds(30)).until(() -> running(ids, 77).size() == 10);
        for (PooledDataSource ds : pools) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ds.stats().configVersion() == promoted);
        }

        long back = admin.rollback(service, "app");
        await().atMost(Duration.ofSeconds(30)).until(() -> running(ids, 77).isEmpty());
        for (PooledDataSource ds : pools) {
            assertThat(ds.pool().config().maxQueue()).isEqualTo(50);
            await().atMost(Duration.ofSeconds(10)).until(() -> ds.stats().configVersion() == back);
        }
        assertThat(admin.history(service, "app")).extracting(ConfigAdmin.HistoryEntry::by).containsExactly("set");
    }

    private Set<String> running(List<InstanceId> ids, int maxQueue) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (pools.get(i).pool().config().maxQueue() == maxQueue) {
                out.add(ids.get(i).value());
            }
        }
        return out;
    }
}
