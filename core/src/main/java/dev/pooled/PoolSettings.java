package dev.pooled;

import dev.pooled.internal.AcquireRateLimiter;

/**
 * What the acquire path reads from the config, in one immutable object behind one volatile field of
 * {@link ConnectionPool}: a live change ({@link ConnectionPool#reconfigure}) swaps the whole object, so a borrow sees
 * the old settings or the new ones, never a mix, and pays one plain load for all of them.
 */
final class PoolSettings {
    final PoolConfig config;
    /** The version given with {@link #config}; 0 = the one the pool started with. */
    final long version;
    final long timeoutNanos;
    final long timeoutMillis;
    final int defaultPriority;
    final AcquireRateLimiter rateLimiter;

    PoolSettings(PoolConfig config, long version, AcquireRateLimiter rateLimiter) {
        this.config = config;
        this.version = version;
        this.timeoutNanos = config.timeout().toNanos();
        this.timeoutMillis = config.timeout().toMillis();
        this.defaultPriority = config.priority();
        this.rateLimiter = rateLimiter;
    }

    /** @return the rate limiter {@code max_acquire_rate} asks for (the null object for 0) */
    static AcquireRateLimiter rateLimiter(String pool, PoolConfig config) {
        return config.maxAcquireRate() == 0 ? AcquireRateLimiter.NONE
                : AcquireRateLimiter.perSecond(pool, config.maxAcquireRate());
    }

    /**
     * @param pool the pool name
     * @param next the config to apply
     * @param version its version
     * @return the settings for {@code next}; the rate limiter is kept (with its current period) when the rate did not
     *         change
     */
    PoolSettings next(String pool, PoolConfig next, long version) {
        AcquireRateLimiter limiter = next.maxAcquireRate() == config.maxAcquireRate() ? rateLimiter
                : rateLimiter(pool, next);
        return new PoolSettings(next, version, limiter);
    }
}
