package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionBudget;
import io.etcd.jetcd.Client;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code pooledctl budget get|set|show} against the shared etcd, in a fresh namespace. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BudgetCtlIT {
    private String ns;
    private Client client;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
        client = EtcdTesting.settings(ns).newClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        EtcdTesting.wipe(client, ns);
        client.close();
    }

    private int ctl(String... args) {
        out.reset();
        err.reset();
        String[] all = new String[args.length + 4];
        all[0] = "--endpoints";
        all[1] = EtcdTesting.ENDPOINT;
        all[2] = "--namespace";
        all[3] = ns;
        System.arraycopy(args, 0, all, 4, args.length);
        return new PooledCtl(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                Map.of()).run(all);
    }

    @Test
    void setRefusesABadRecordWithEveryReasonThenGetAndShowSeeTheGoodOne() throws Exception {
        assertThat(ctl("budget", "set", "orders-db", "max_connections=20", "reserve=2", "floor_per_instance=4",
                "max_instances=6")).isEqualTo(PooledCtl.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("max_instances × floor_per_instance = 6 × 4 = 24")
                .contains("at most max_connections − reserve = 18");
        assertThat(ctl("budget", "set", "orders-db", "max_connections=x", "grace_ms=-1", "max_instances=2"))
                .isEqualTo(PooledCtl.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("max_connections=x: must be an integer");
        assertThat(ctl("budget", "get", "orders-db")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("no record");

        assertThat(ctl("budget", "set", "orders-db", "max_connections=20", "reserve=2", "max_instances=6",
                "--revision", "0")).isZero();
        assertThat(ctl("budget", "set", "orders-db", "max_connections=30", "max_instances=6", "--revision", "0"))
                .isEqualTo(PooledCtl.CONFLICT);
        assertThat(ctl("--output", "json", "budget", "get", "orders-db")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"max_connections\" : 20");

        EtcdSettings settings = EtcdSettings.builder().endpoints(EtcdTesting.ENDPOINT).namespace(ns)
                .timeout(Duration.ofSeconds(2)).leaseTtl(Duration.ofSeconds(5)).build();
        try (EtcdBudgetSource source = EtcdBudgetSource.start(settings, new InstanceId("ctl-it-1"))) {
            ConnectionBudget.Claim claim = source.budget("orders-db", 0).claim("checkout/app", 7);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                claim.update(6, Math.min(6, claim.grant()));
                return claim.grant() == 6 && ctl("budget", "show", "orders-db") == 0
                        && out.toString(StandardCharsets.UTF_8).contains("checkout/app")
                        && out.toString(StandardCharsets.UTF_8).matches("(?s).*ctl-it-1.*checkout/app +7 +6 +6 +6 +6.*");
            });
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("allocator: ctl-it-1").contains("capacity 18");
        }
    }
}
