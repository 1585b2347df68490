package dev.pooled.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BreakerTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final TestClock clock = new TestClock();
    private final SQLException refused = new SQLException("Connection refused", "08001");

    @Test
    void aRateOfFailuresOpensItProbesCloseIt() {
        Breaker b = new Breaker("p", 50, Duration.ofMillis(500), clock);
        long served = 0;
        for (int tick = 0; tick < 10; tick++) {
            served += 3;
            b.feed(served);
        }
        assertThat(b.state()).isEqualTo(Breaker.CLOSED);
        for (int i = 0; i < 40; i++) {
            b.failed(refused);
        }
        b.feed(served);
        assertThat(b.state()).isEqualTo(Breaker.OPEN);
        assertThat(b.stateName()).isEqualTo("open");
        assertThat(b.openedAtMillis()).isPositive();
        assertThat(b.lastFailure()).isSameAs(refused);
        assertThat(b.tryAcquirePermission()).isFalse();

        clock.advance(Duration.ofMillis(501));
        assertThat(b.tryAcquirePermission()).as("first probe").isTrue();
        assertThat(b.state()).isEqualTo(Breaker.HALF_OPEN);
        assertThat(b.tryAcquirePermission()).as("second probe").isTrue();
        assertThat(b.tryAcquirePermission()).as("no third").isFalse();
        b.probeFailed(1_000, refused);
        b.probeFailed(1_000, refused);
        assertThat(b.state()).isEqualTo(Breaker.OPEN);

        clock.advance(Duration.ofMillis(501));
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isTrue();
        b.probeSucceeded(1_000);
        b.probeSucceeded(1_000);
        assertThat(b.state()).isEqualTo(Breaker.CLOSED);
        // outcomes counted while it was not closed are not fed again
        b.feed(served + 2);
        assertThat(b.state()).isEqualTo(Breaker.CLOSED);
    }

    @Test
    void aFewFailuresAmongManySuccessesKeepItClosedEvenWhenScaled() {
        Breaker b = new Breaker("p", 50, Duration.ofSeconds(5), clock);
        long served = 0;
        for (int tick = 0; tick < 100; tick++) {
            served += 10_000; // far above the feed cap: scaled down
            for (int i = 0; i < 100; i++) {
                b.failed(refused);
            }
            b.feed(served);
            clock.advance(Duration.ofMillis(10));
        }
        assertThat(b.state()).isEqualTo(Breaker.CLOSED);
        assertThat(b.failureRate()).isBetween(0.5f, 1.5f);
    }

    @Test
    void tooFewCallsNeverOpenIt() {
        Breaker b = new Breaker("p", 50, Duration.ofSeconds(5), clock);
        for (int i = 0; i < Breaker.MIN_CALLS - 1; i++) {
            b.failed(refused);
        }
        b.feed(0);
        assertThat(b.state()).isEqualTo(Breaker.CLOSED);
    }

    @Test
    void theDisabledBreakerIsAlwaysClosedAndCountsNothing() {
        Breaker.DISABLED.failed(refused);
        Breaker.DISABLED.feed(100);
        assertThat(Breaker.DISABLED.state()).isEqualTo(Breaker.CLOSED);
        assertThat(Breaker.DISABLED.enabled()).isFalse();
        assertThat(Breaker.DISABLED.stateName()).isEqualTo("disabled");
        assertThat(Breaker.DISABLED.lastFailure()).isNull();
    }
}
