package dev.pooled;

import java.sql.SQLDataException;

/**
 * Thrown by {@code getConnection(priority)} (and the transaction-mode {@code connect(priority)}) when the priority
 * is outside {@value PoolConfig#MIN_PRIORITY} to {@value PoolConfig#MAX_PRIORITY}. SQLState {@code 22023} (invalid
 * parameter value), vendor code 1016: a caller's mistake, not a connection problem, so it is no class {@code 08}
 * state and retrying does not help.
 *
 * @since 0.1.0
 */
public final class PoolInvalidPriorityException extends SQLDataException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param priority the priority given */
    public PoolInvalidPriorityException(int priority) {
        super("priority must be an integer from " + PoolConfig.MIN_PRIORITY + " to " + PoolConfig.MAX_PRIORITY
                + " but was " + priority, ErrorCode.INVALID_PRIORITY.sqlState(), ErrorCode.INVALID_PRIORITY.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.INVALID_PRIORITY;
    }
}
