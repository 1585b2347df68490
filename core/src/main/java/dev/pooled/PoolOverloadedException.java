package dev.pooled;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown by {@code getConnection} instead of queueing the caller when its expected wait exceeds its
 * {@code timeout_ms}: the callers ahead of it in the queue (those of its priority or higher), times the time one
 * connection now takes to come back (mean hold time / limit), is longer than the caller would wait. The caller learns
 * at once what it would otherwise have learnt from a timeout. Only with {@code throttling=gradient} (the default), and
 * only once the pool has measured its hold time. SQLState {@code 08004}, vendor code 1011. Retrying later may
 * succeed.
 *
 * @since 0.1.0
 */
public final class PoolOverloadedException extends SQLTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param message the description, naming the pool, the expected wait and the timeout */
    public PoolOverloadedException(String message) {
        super(message, ErrorCode.OVERLOADED.sqlState(), ErrorCode.OVERLOADED.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.OVERLOADED;
    }
}
