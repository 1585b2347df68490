package dev.pooled;

import java.sql.SQLTransientConnectionException;

/**
 * Thrown by {@code getConnection} while the pool's circuit breaker is open: too many recent physical acquisitions
 * failed (connection refused, authentication or network errors, or no connection within the time left), so callers
 * are turned away at once, in microseconds, instead of each waiting for its own failure. After
 * {@code breaker_open_ms} the breaker lets a few probe callers through; when they get connections it closes. The
 * message says when the breaker opened; the last failure recorded is the cause. SQLState {@code 08004}, vendor code
 * 1012. Retrying later may succeed.
 *
 * @since 0.1.0
 */
public final class PoolCircuitOpenException extends SQLTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the description, naming the pool and the breaker's state
     * @param cause the last physical acquisition failure, or {@code null}
     */
    public PoolCircuitOpenException(String message, Throwable cause) {
        super(message, ErrorCode.CIRCUIT_OPEN.sqlState(), ErrorCode.CIRCUIT_OPEN.vendorCode(), cause);
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.CIRCUIT_OPEN;
    }
}
