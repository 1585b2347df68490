package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PoolConfigTest {

    @Test
    void defaultsAreValidAndMinIdleFollowsMaxConnectionsWhenFixed() {
        PoolConfig c = PoolConfig.builder().maxConnections(7).build();
        assertThat(c.sizing()).isEqualTo(SizingMode.LITTLES_LAW);
        assertThat(c.minIdle()).isEqualTo(PoolConfig.DEFAULT_AUTOSIZED_MIN_IDLE);
        assertThat(PoolConfig.builder().maxConnections(1).build().minIdle()).isEqualTo(1);
        assertThat(PoolConfig.builder().maxConnections(7).sizing(SizingMode.FIXED).build().minIdle()).isEqualTo(7);
        assertThat(c.mode()).isEqualTo(PoolingMode.SESSION);
        assertThat(c.timeout()).isEqualTo(PoolConfig.DEFAULT_TIMEOUT);
        assertThat(c.priority()).isEqualTo(PoolConfig.DEFAULT_PRIORITY);
    }

    @Test
    void everyViolationIsReportedAtOnceWithKeyValueAndRule() {
        PoolConfig.Builder b = PoolConfig.builder()
                .set("max_connections", "0")
                .set("max_queue", "-1")
                .set("timeout_ms", "abc")
                .set("priority", "10")
                .set("mode", "statement")
                .set("service", "has space")
                .set("max_lifetime_ms", "1000")
                .set("leak_threshold_ms", "10")
                .set("bogus", "1");
        assertThatThrownBy(b::build).isInstanceOfSatisfying(PoolConfigException.class, e -> {
            assertThat(e.violations()).extracting(PoolConfigException.Violation::key).containsExactly(
                    "service", "max_connections", "max_queue", "priority", "max_lifetime_ms", "leak_threshold_ms",
                    "timeout_ms", "mode", "bogus");
            assertThat(e.describe("pooled.")).contains(
                    "pooled.max_connections=0: must be a whole number from 1 to 10000",
                    "pooled.timeout_ms=abc: must be a whole number of milliseconds",
                    "pooled.priority=10: must be a whole number from 0 to 9",
                    "pooled.mode=statement: must be session or transaction",
                    "pooled.bogus=1: is not a known setting; known settings are service, db_role,");
        });
    }

    @Test
    void transactionModeAndItsPinPolicyAreAcceptedAndChecked() {
        PoolConfig c = PoolConfig.builder().set("mode", "transaction").set("pin_policy", "reject").build();
        assertThat(c.mode()).isEqualTo(PoolingMode.TRANSACTION);
        assertThat(c.pinPolicy()).isEqualTo(PoolConfig.PinPolicy.REJECT);
        assertThat(c.asMap()).containsEntry("mode", "transaction").containsEntry("pin_policy", "reject");
        assertThat(PoolConfig.ofDefaults().pinPolicy()).isEqualTo(PoolConfig.PinPolicy.ALLOW);
        assertThatThrownBy(() -> PoolConfig.builder().set("pin_policy", "sometimes").build())
                .hasMessageContaining("pin_policy=sometimes: must be allow or reject");
        assertThatThrownBy(() -> PoolConfig.builder().set("pin_policy", "reject").build())
                .hasMessageContaining("pin_policy=reject: must be allow unless mode=transaction");
    }

    @Test
    void minIdleAboveMaxAndLeakAboveLifetimeAreRejectedNotClamped() {
        assertThatThrownBy(() -> PoolConfig.builder().maxConnections(3).minIdle(4).build())
                .hasMessageContaining("min_idle=4: must be a whole number from 0 to 3");
        assertThatThrownBy(() -> PoolConfig.builder().maxLifetime(Duration.ofSeconds(30))
                .leakThreshold(Duration.ofSeconds(31)).build())
                .hasMessageContaining("leak_threshold_ms=31000");
    }

    @Test
    void aLaterValidValueClearsAnEarlierParseError() {
        PoolConfig c = PoolConfig.builder().set("max_queue", "x").maxQueue(3).build();
        assertThat(c.maxQueue()).isEqualTo(3);
    }

    @Test
    void roundTripsThroughItsMap() {
        PoolConfig c = PoolConfig.builder().service("orders").dbRole("app_rw").maxConnections(4).maxQueue(9)
                .timeout(Duration.ofMillis(250)).priority(7).minIdle(1).build();
        PoolConfig.Builder b = PoolConfig.builder();
        c.asMap().forEach(b::set);
        assertThat(b.build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.withPriority(2).priority()).isEqualTo(2);
        assertThat(c.toString()).contains("service=orders", "max_connections=4");
    }
}
