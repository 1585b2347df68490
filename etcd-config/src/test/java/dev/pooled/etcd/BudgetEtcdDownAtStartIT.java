package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.ConnectionBudget;
import dev.pooled.etcd.internal.BudgetCodec;
import dev.pooled.etcd.internal.BudgetSpec;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** etcd unreachable when the pool starts: the claim answers at once with the floor, then joins when etcd comes. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BudgetEtcdDownAtStartIT {

    private static void putRecord(EtcdSettings settings) {
        try (Client c = settings.newClient()) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().pollInterval(Duration.ofMillis(200))
                    .until(() -> c.getKVClient().put(ByteSequence.from(settings.keys().budgetPrefix("late-db")
                            + "record", StandardCharsets.UTF_8), ByteSequence.from(BudgetCodec.writeRecord(
                                    BudgetSpec.of(12, 2, 1, 4, 1000, false)), StandardCharsets.UTF_8))
                            .get(2, TimeUnit.SECONDS) != null);
        }
    }

    @Test
    void startsAtTheFloorWithoutEtcdAndGetsItsShareWhenEtcdArrives() throws Exception {
        try (PrivateEtcd etcd = new PrivateEtcd()) {
            EtcdSettings settings = EtcdSettings.builder().endpoints(etcd.endpoint()).timeout(Duration.ofSeconds(1))
                    .leaseTtl(Duration.ofSeconds(5)).build();
            // Let it finish bootstrapping its data directory before it is stopped, or it may not come back.
            putRecord(settings);
            etcd.stop();
            try (EtcdBudgetSource source = EtcdBudgetSource.start(settings, new InstanceId("down-at-start"))) {
                ConnectionBudget.Claim claim = source.budget("late-db", 0).claim("svc/app", 5);
                assertThat(claim.update(8, 0)).isEqualTo(EtcdBudgetSource.DEFAULT_FALLBACK_FLOOR);
                // Three seconds without etcd: the floor, every time, and never more; no call waits for an etcd
                // deadline (1 s here): the slowest is scheduling noise on a loaded machine.
                long slowest = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    assertThat(claim.update(8, 1)).isEqualTo(1);
                    slowest = Math.max(slowest, System.nanoTime() - t0);
                    Thread.sleep(100);
                }
                assertThat(slowest).as("slowest update, ns").isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
                etcd.start();
                putRecord(settings);
                // 12 − 2 − 4 floors = 6 movable: its floor plus 6.
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                        .until(() -> claim.update(8, Math.min(8, claim.grant())) == 7);
            }
        }
    }
}
