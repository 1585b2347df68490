package dev.pooled;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown by {@code getConnection} when every connection is in use and {@code max_queue} callers already wait: the
 * caller is rejected at once, without waiting. SQLState {@code 08004}, vendor code 1001. Retrying later may succeed.
 *
 * @since 0.1.0
 */
public final class PoolQueueFullException extends SQLTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param message the description, naming the pool, its limit and its queue depth */
    public PoolQueueFullException(String message) {
        super(message, ErrorCode.QUEUE_FULL.sqlState(), ErrorCode.QUEUE_FULL.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.QUEUE_FULL;
    }
}
