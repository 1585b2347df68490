package dev.pooled;

import java.sql.SQLNonTransientConnectionException;

/**
 * Thrown by {@code getConnection} on a pool that is closed or closing, including to callers that were waiting when
 * it closed. SQLState {@code 08003}, vendor code 1004. Retrying on the same pool cannot succeed.
 *
 * @since 0.1.0
 */
public final class PoolClosedException extends SQLNonTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param message the description, naming the pool */
    public PoolClosedException(String message) {
        super(message, ErrorCode.POOL_CLOSED.sqlState(), ErrorCode.POOL_CLOSED.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.POOL_CLOSED;
    }
}
