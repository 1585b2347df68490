package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The settings of sizing, throttling, the breaker, the rate limit and the budget. */
@Timeout(10)
class AdaptiveConfigTest {

    @Test
    void defaults() {
        PoolConfig c = PoolConfig.ofDefaults();
        assertThat(c.sizing()).isEqualTo(SizingMode.LITTLES_LAW);
        assertThat(c.throttling()).isEqualTo(ThrottleMode.GRADIENT);
        assertThat(c.budget()).isNull();
        assertThat(c.budgetMax()).isZero();
        assertThat(c.maxAcquireRate()).isZero();
        assertThat(c.breakerFailureRate()).isEqualTo(50);
        assertThat(c.breakerOpen()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.asMap()).containsEntry("sizing", "littles_law").containsEntry("throttling", "gradient")
                .containsEntry("budget", "").containsEntry("budget_max", "0").containsEntry("max_acquire_rate", "0")
                .containsEntry("breaker_failure_rate", "50").containsEntry("breaker_open_ms", "5000");
    }

    @Test
    void textSettingsRoundTrip() {
        PoolConfig c = PoolConfig.builder().set("sizing", "fixed").set("throttling", "off").set("budget", "orders-db")
                .set("budget_max", "40").set("max_acquire_rate", "500").set("breaker_failure_rate", "0")
                .set("breaker_open_ms", "250").build();
        assertThat(c.sizing()).isEqualTo(SizingMode.FIXED);
        assertThat(c.minIdle()).isEqualTo(c.maxConnections());
        assertThat(c.throttling()).isEqualTo(ThrottleMode.OFF);
        assertThat(c.budget()).isEqualTo("orders-db");
        assertThat(c.budgetMax()).isEqualTo(40);
        assertThat(c.maxAcquireRate()).isEqualTo(500);
        assertThat(c.breakerFailureRate()).isZero();
        assertThat(c.breakerOpen()).isEqualTo(Duration.ofMillis(250));
        PoolConfig.Builder again = PoolConfig.builder();
        c.asMap().forEach(again::set);
        assertThat(again.build()).isEqualTo(c);
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
    }

    @Test
    void everyBadValueIsReportedAtOnceNeverClamped() {
        PoolConfig.Builder b = PoolConfig.builder().set("sizing", "magic").set("throttling", "vegas")
                .set("budget", "has space").set("budget_max", "10001").set("max_acquire_rate", "-1")
                .set("breaker_failure_rate", "101").set("breaker_open_ms", "50");
        assertThatThrownBy(b::build).isInstanceOfSatisfying(PoolConfigException.class, e ->
                assertThat(e.describe("pooled.")).contains(
                        "pooled.sizing=magic: must be littles_law or fixed",
                        "pooled.throttling=vegas: must be gradient or off",
                        "pooled.budget=has space: must be 1 to 128 characters",
                        "pooled.budget_max=10001: must be a whole number from 0 to 10000",
                        "pooled.max_acquire_rate=-1: must be a whole number in ASCII digits 0-9 (no sign, no spaces) from 0 to 1000000",
                        "pooled.breaker_failure_rate=101: must be a whole number from 0 to 100",
                        "pooled.breaker_open_ms=50: must be from 100 to 600000 ms"));
        assertThatThrownBy(() -> PoolConfig.builder().budgetMax(5).build())
                .hasMessageContaining("budget_max=5: must be 0 unless budget names a budget");
    }
}
