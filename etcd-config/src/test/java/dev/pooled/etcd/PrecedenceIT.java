package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionPool;
import dev.pooled.jdbc.PoolRegistry;
import dev.pooled.jdbc.PooledDriver;
import io.etcd.jetcd.Client;
import java.sql.Connection;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Precedence through the jdbc:pooled: URL: the record wins for the fields it names, the URL's settings stand for
 * the rest and for everything once the record is deleted; closing the pool takes its instance key away.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrecedenceIT {

    @Test
    void recordOverUrlAndTheUrlAsFallback() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ns = EtcdTesting.freshNamespace();
        EtcdSettings etcd = EtcdTesting.settings(ns);
        String service = "prec-" + run;
        String key = etcd.keys().config(service, "app");
        try (Client client = etcd.newClient(); PoolRegistry registry = new PoolRegistry()) {
            long v1 = EtcdTesting.put(client, key, "{\"max_connections\": 3, \"timeout_ms\": 1500}");
            String url = "jdbc:pooled:" + Pg.URL.substring("jdbc:".length()) + "?pooled.service=" + service
                    + "&pooled.db_role=app&pooled.max_connections=10&pooled.max_queue=33"
                    + "&pooled.etcd.endpoints=" + EtcdTesting.ENDPOINT + "&pooled.etcd.namespace=" + ns
                    + "&pooled.instance_id=prec-1";
            Properties info = new Properties();
            info.setProperty("user", Pg.USER);
            PooledDriver driver = new PooledDriver(registry);
            try (Connection c = driver.connect(url, info)) {
                assertThat(c.isValid(5)).isTrue();
            }
            ConnectionPool pool = registry.pools().get(0);
            assertThat(pool.stats().configVersion()).isEqualTo(v1);
            assertThat(pool.config().maxConnections()).as("record").isEqualTo(3);
            assertThat(pool.config().timeout().toMillis()).as("record").isEqualTo(1500);
            assertThat(pool.config().maxQueue()).as("URL, which the record leaves out").isEqualTo(33);

            // The same URL again reaches the same pool: the request is compared with the pool's own settings.
            try (Connection c = driver.connect(url, info)) {
                assertThat(registry.pools()).hasSize(1);
            }

            // Without a record the pool runs on its URL settings again.
            client.getKVClient().delete(EtcdTesting.bytes(key)).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().configVersion() == 0);
            assertThat(pool.config().maxConnections()).isEqualTo(10);
            assertThat(pool.config().timeout().toMillis()).isEqualTo(5000);

            String instanceKey = etcd.keys().instance(service, "prec-1");
            await().atMost(Duration.ofSeconds(20)).until(() -> EtcdTesting.get(client, instanceKey) != null);
            // Closed through the registry, which knows nothing of etcd: the watcher sees it and leaves.
            registry.remove(pool, Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(20)).until(() -> EtcdTesting.get(client, instanceKey) == null);
            EtcdTesting.wipe(client, ns);
        }
    }
}
