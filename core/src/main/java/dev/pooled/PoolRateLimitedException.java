package dev.pooled;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown by {@code getConnection} when the pool already admitted {@code max_acquire_rate} acquisitions in the current
 * interval; the caller is rejected at once, without queueing. SQLState {@code 08004}, vendor code 1013. Retrying
 * later may succeed.
 *
 * @since 0.1.0
 */
public final class PoolRateLimitedException extends SQLTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param message the description, naming the pool and its rate */
    public PoolRateLimitedException(String message) {
        super(message, ErrorCode.RATE_LIMITED.sqlState(), ErrorCode.RATE_LIMITED.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.RATE_LIMITED;
    }
}
