package dev.pooled;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown by {@code getConnection} when no connection became available within {@code timeout_ms}, or when the
 * caller's thread was interrupted while it waited ({@link ErrorCode#ACQUIRE_INTERRUPTED}; the interrupt flag is
 * then set again). SQLState {@code 08001}, vendor code 1002 (1003 when interrupted). When the database itself
 * failed, its error is the cause.
 *
 * @since 0.1.0
 */
public final class PoolAcquireTimeoutException extends SQLTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    /**
     * @param message the description, naming the pool, its limit, its queue depth and the time waited
     * @param errorCode {@link ErrorCode#ACQUIRE_TIMEOUT} or {@link ErrorCode#ACQUIRE_INTERRUPTED}
     * @param cause the underlying failure, or {@code null}
     */
    public PoolAcquireTimeoutException(String message, ErrorCode errorCode, Throwable cause) {
        super(message, errorCode.sqlState(), errorCode.vendorCode(), cause);
        this.errorCode = errorCode;
    }

    @Override
    public ErrorCode errorCode() {
        return errorCode;
    }
}
