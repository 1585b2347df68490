package dev.pooled;

import java.sql.SQLException;

/**
 * Thrown when a pool cannot open its first physical connection, so it is not started. The driver's own error is
 * the cause, and its SQLState is kept (for example {@code 28P01} for a wrong PostgreSQL password, {@code 3D000} for
 * a missing database); {@code 08001} when the driver gave none. Vendor code 1009. The next request tries again.
 *
 * @since 0.1.0
 */
public final class PoolStartException extends SQLException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the pool
     * @param cause the driver's error
     */
    public PoolStartException(String message, SQLException cause) {
        super(message + ": " + cause.getMessage(),
                cause.getSQLState() != null ? cause.getSQLState() : ErrorCode.POOL_START_FAILED.sqlState(),
                ErrorCode.POOL_START_FAILED.vendorCode(), cause);
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.POOL_START_FAILED;
    }
}
