package dev.pooled.jdbc;

import dev.pooled.ErrorCode;
import dev.pooled.PoolConfig;
import dev.pooled.PooledJdbcException;
import java.sql.SQLNonTransientException;

/**
 * Thrown by {@code getConnection(priority)} for a priority outside {@value PoolConfig#MIN_PRIORITY} to
 * {@value PoolConfig#MAX_PRIORITY}, before anything is borrowed: {@link ErrorCode#INVALID_CONFIG}, SQLState
 * {@code HY024} (invalid attribute value), vendor code 1005. Not a connection error: the pool is fine.
 *
 * @since 0.1.0
 */
public final class InvalidPriorityException extends SQLNonTransientException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param priority the priority asked for */
    public InvalidPriorityException(int priority) {
        super("priority must be a whole number from " + PoolConfig.MIN_PRIORITY + " to " + PoolConfig.MAX_PRIORITY
                + " but was " + priority, ErrorCode.INVALID_CONFIG.sqlState(), ErrorCode.INVALID_CONFIG.vendorCode());
    }

    /** @return {@link ErrorCode#INVALID_CONFIG} */
    @Override
    public ErrorCode errorCode() {
        return ErrorCode.INVALID_CONFIG;
    }
}
