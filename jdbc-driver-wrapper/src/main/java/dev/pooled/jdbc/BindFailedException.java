package dev.pooled.jdbc;

import dev.pooled.ErrorCode;
import dev.pooled.PooledJdbcException;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;

/**
 * Thrown in transaction mode by a statement (or another call that needs the database) on a live logical connection
 * when no physical connection could be bound for it in time: the pool's wait timed out, its queue was full, the
 * throttle or the circuit breaker refused, or the caller was interrupted. Nothing was sent to the database and no
 * transaction was begun on it; the logical connection stays open and usable, and the whole transaction may be retried.
 *
 * <p>SQLState {@code 40001}, vendor code 1015, an {@link SQLTransactionRollbackException} (a
 * {@link java.sql.SQLTransientException} that is not an {@link java.sql.SQLTransientConnectionException}): "retry the
 * transaction, the connection is fine". Class {@code 08} would make HikariCP evict the connection, Spring translate
 * the error into a resource failure and harnesses reconnect; that family stays reserved for
 * {@code getConnection()}, where no connection was handed out. The pool's own exception is the cause, and
 * {@link #reason()} names it.
 *
 * @since 0.1.0
 */
public final class BindFailedException extends SQLTransactionRollbackException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode reason;

    /**
     * @param message names the pool and what refused the statement
     * @param cause the pool's exception (a {@link PooledJdbcException})
     */
    public BindFailedException(String message, SQLException cause) {
        super(message, ErrorCode.BIND_FAILED.sqlState(), ErrorCode.BIND_FAILED.vendorCode(), cause);
        this.reason = cause instanceof PooledJdbcException ? ((PooledJdbcException) cause).errorCode()
                : ErrorCode.ACQUIRE_TIMEOUT;
    }

    /**
     * @return why no physical connection was bound: {@link ErrorCode#ACQUIRE_TIMEOUT}, {@code QUEUE_FULL},
     *         {@code OVERLOADED}, {@code CIRCUIT_OPEN}, {@code RATE_LIMITED} or {@code ACQUIRE_INTERRUPTED}
     */
    public ErrorCode reason() {
        return reason;
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.BIND_FAILED;
    }
}
