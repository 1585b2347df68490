package dev.pooled.jdbc;

import dev.pooled.ErrorCode;
import dev.pooled.PooledJdbcException;
import java.sql.SQLNonTransientConnectionException;

/**
 * Thrown when a {@code jdbc:pooled:} request cannot be served as given, before any connection is made: a setting is
 * unknown, malformed or out of range ({@link ErrorCode#INVALID_CONFIG}, SQLState {@code HY024}); no driver accepts
 * the URL behind the prefix ({@link ErrorCode#NO_DELEGATE_DRIVER}, {@code 08001}); or the request names a pool that
 * already runs with other settings ({@link ErrorCode#POOL_CONFLICT}, {@code HY024}). The message names each bad key,
 * its value and what is allowed; it never contains a password. Retrying the same request cannot succeed.
 *
 * @since 0.1.0
 */
public final class InvalidPooledUrlException extends SQLNonTransientConnectionException implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    /**
     * @param message the description
     * @param errorCode one of the codes above
     * @param cause the underlying failure, or {@code null}
     */
    public InvalidPooledUrlException(String message, ErrorCode errorCode, Throwable cause) {
        super(message, errorCode.sqlState(), errorCode.vendorCode(), cause);
        this.errorCode = errorCode;
    }

    @Override
    public ErrorCode errorCode() {
        return errorCode;
    }
}
