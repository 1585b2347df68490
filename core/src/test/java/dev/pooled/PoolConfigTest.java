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
                    "service", "max_connections", "priority", "max_lifetime_ms", "leak_threshold_ms",
                    "max_queue", "timeout_ms", "mode", "bogus");
            assertThat(e.describe("pooled.")).contains(
                    "pooled.max_connections=0: must be a whole number from 1 to 10000",
                    "pooled.timeout_ms=abc: must be a whole number in ASCII digits 0-9 (no sign, no spaces) from 1 to"
                            + " 3600000 (milliseconds)",
                    "pooled.priority=10: must be a whole number from 0 to 9",
                    "pooled.mode=statement: must be session or transaction",
                    "pooled.bogus=***: is not a known setting (its value is not shown); known settings are service,"
                            + " db_role,");
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

    @Test
    void numbersAreAsciiDigitsOnlyAndEveryRejectionNamesKeyValueAndRange() {
        for (String bad : new String[] {"+5", " 5", "5 ", "-5", "5.0", "0x5", "\u0665", "\uff15", "", "five",
                "99999999999999999999", "2147483648"}) {
            assertThatThrownBy(() -> PoolConfig.builder().set("max_connections", bad).build())
                    .as("max_connections=%s", bad)
                    .isInstanceOfSatisfying(PoolConfigException.class, e -> assertThat(e.getMessage())
                            .contains("max_connections=")
                            .contains("from 1 to 10000")
                            .contains(SafeTextProbe.shown(bad)));
        }
        assertThatThrownBy(() -> PoolConfig.builder().set("timeout_ms", "9223372036854775808").build())
                .hasMessageContaining("timeout_ms=9223372036854775808: must be a whole number in ASCII digits")
                .hasMessageContaining("from 1 to 3600000");
        assertThat(PoolConfig.builder().set("max_connections", "0007").build().maxConnections()).isEqualTo(7);
    }

    @Test
    void anUnknownSettingNeverEchoesItsValue() {
        assertThatThrownBy(() -> PoolConfig.builder().set("password", "hunter2-secret").build())
                .hasMessageContaining("password=***: is not a known setting")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void valuesInMessagesAreBoundedAndControlCharactersEscaped() {
        String forged = "x\r\n2026-12-01 INFO forged log line" + "A".repeat(100_000);
        assertThatThrownBy(() -> PoolConfig.builder().set("service", forged).set("mode", "a\u0000b").build())
                .isInstanceOfSatisfying(PoolConfigException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000")
                            .contains("x\\r\\n2026").contains("…(").contains("mode=a\\u0000b");
                    assertThat(e.getMessage().length()).isLessThan(2_000);
                });
    }

    @Test
    void resetPolicyIsAlwaysByDefaultAndChecked() {
        assertThat(PoolConfig.ofDefaults().reset()).isEqualTo(PoolConfig.ResetPolicy.ALWAYS);
        assertThat(PoolConfig.builder().set("reset", "minimal").build().reset())
                .isEqualTo(PoolConfig.ResetPolicy.MINIMAL);
        assertThatThrownBy(() -> PoolConfig.builder().set("reset", "sometimes").build())
                .hasMessageContaining("reset=sometimes: must be always or minimal");
    }

    /** How a value appears in a message: bounded and escaped as {@link dev.pooled.internal.SafeText} does. */
    static final class SafeTextProbe {
        static String shown(String v) {
            return dev.pooled.internal.SafeText.value(v);
        }
    }
}
