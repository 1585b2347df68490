package dev.pooled.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.etcd.EtcdSettings;
import dev.pooled.etcd.EtcdTesting;
import dev.pooled.etcd.InstanceId;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InstanceRegistrationIT {
    private String ns;
    private EtcdSettings settings;
    private Client client;

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
        settings = EtcdTesting.settings(ns);
        client = settings.newClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        EtcdTesting.wipe(client, ns);
        client.close();
    }

    @Test
    void reportsUnderALeaseAndDisappearsOnClose() throws Exception {
        InstanceId id = new InstanceId("it-instance-1");
        InstanceRegistration a = InstanceRegistration.acquire(settings, "orders", id);
        InstanceRegistration b = InstanceRegistration.acquire(settings, "orders", id);
        assertThat(a).isSameAs(b);
        String key = settings.keys().instance("orders", "it-instance-1");
        a.report("app", Map.of("applied_version", 7, "limit", 4));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String v = EtcdTesting.get(client, key);
            return v != null && v.contains("\"applied_version\":7");
        });
        Object doc = Json.parse(EtcdTesting.get(client, key));
        assertThat(doc).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("instance_id", "it-instance-1").containsKey("pools");
        long lease = a.session().leaseId();
        assertThat(lease).isNotZero();
        assertThat(client.getKVClient().get(EtcdTesting.bytes(key)).get(5, TimeUnit.SECONDS).getKvs().get(0)
                .getLease()).isEqualTo(lease);

        a.report("app", Map.of("applied_version", 8, "limit", 4));
        await().atMost(Duration.ofSeconds(20)).until(() -> EtcdTesting.get(client, key).contains("\"applied_version\":8"));

        b.close();
        assertThat(EtcdTesting.get(client, key)).isNotNull();
        a.close();
        assertThat(EtcdTesting.get(client, key)).isNull();
    }

    @Test
    void putsTheKeyAgainUnderANewLeaseWhenTheOldOneIsRevoked() throws Exception {
        InstanceRegistration r = InstanceRegistration.acquire(settings, "orders", new InstanceId("it-instance-2"));
        try {
            String key = settings.keys().instance("orders", "it-instance-2");
            r.report("app", Map.of("limit", 3));
            await().atMost(Duration.ofSeconds(20)).until(() -> EtcdTesting.get(client, key) != null);
            long first = r.session().leaseId();
            // Someone (an operator, an expiry while this process was paused) removes the lease: the key goes with it.
            client.getLeaseClient().revoke(first).get(5, TimeUnit.SECONDS);
            assertThat(EtcdTesting.get(client, key)).isNull();
            await().atMost(Duration.ofSeconds(30)).until(() -> r.session().leaseId() != first
                    && r.session().leaseId() != 0 && EtcdTesting.get(client, key) != null);
        } finally {
            r.close();
        }
    }
}
