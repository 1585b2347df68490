package dev.pooled.internal;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * {@code max_acquire_rate}: admits at most so many acquisitions per second, rejecting the rest at once. Off by
 * default, as the {@link #NONE} null object (which the JIT inlines to {@code true}). Thread-safe.
 */
public interface AcquireRateLimiter {
    /** No limit. */
    AcquireRateLimiter NONE = () -> true;

    /** @return whether one more acquisition may proceed now; never waits */
    boolean tryAcquire();

    /**
     * A resilience4j {@link RateLimiter} (its lock-free {@code AtomicRateLimiter}) with a zero timeout. The second is
     * cut into periods of up to 100 ms with a whole number of permits each ({@code max(1, rate / 10)}), so bursts
     * are bounded to a tenth of a second's worth and the long-run rate is exact.
     *
     * @param pool the pool name, for the limiter's name
     * @param perSecond the rate, at least 1
     * @return the limiter
     */
    static AcquireRateLimiter perSecond(String pool, int perSecond) {
        int permits = Math.max(1, perSecond / 10);
        long periodNanos = Math.max(1L, 1_000_000_000L * permits / perSecond);
        RateLimiter limiter = RateLimiter.of("pooled-" + pool, RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(Duration.ofNanos(periodNanos))
                .timeoutDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build());
        return limiter::acquirePermission;
    }
}
