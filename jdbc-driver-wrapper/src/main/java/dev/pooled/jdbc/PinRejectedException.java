package dev.pooled.jdbc;

import dev.pooled.ErrorCode;
import dev.pooled.PooledJdbcException;
import java.sql.SQLFeatureNotSupportedException;

/**
 * Thrown in transaction mode with {@code pin_policy=reject} instead of running a statement (or {@code unwrap}) that
 * would pin the logical connection to its physical one. Nothing was sent to the database: the connection, and any
 * transaction on it, are as they were. SQLState {@code 0A000} (feature not supported), vendor code 1010. Retrying
 * the same statement cannot succeed; use {@code SET LOCAL}, {@code pg_advisory_xact_lock}, temporary tables with
 * {@code ON COMMIT DROP}, or a session-mode pool.
 *
 * @since 0.1.0
 */
public final class PinRejectedException extends SQLFeatureNotSupportedException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    private final PinReason reason;

    /**
     * @param message names the pool and the rule, never the statement's parameters
     * @param reason what the statement would have left behind
     */
    public PinRejectedException(String message, PinReason reason) {
        super(message, ErrorCode.PIN_REJECTED.sqlState(), ErrorCode.PIN_REJECTED.vendorCode());
        this.reason = reason;
    }

    /** @return what the refused statement would have left in the session */
    public PinReason reason() {
        return reason;
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.PIN_REJECTED;
    }
}
