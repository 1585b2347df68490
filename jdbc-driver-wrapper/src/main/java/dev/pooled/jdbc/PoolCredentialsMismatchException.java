package dev.pooled.jdbc;

import dev.pooled.ErrorCode;
import dev.pooled.PooledJdbcException;
import java.sql.SQLInvalidAuthorizationSpecException;

/**
 * Thrown when a request names a running pool (same URL, user and service) with a password other than the one the
 * pool was built with. The pool fails closed: a caller never gets a connection opened with someone else's
 * credentials. SQLState {@code 28000}, vendor code 1008. Neither password appears in the message.
 *
 * @since 0.1.0
 */
public final class PoolCredentialsMismatchException extends SQLInvalidAuthorizationSpecException
        implements PooledJdbcException {
    private static final long serialVersionUID = 1L;

    /** @param message names the pool and the user, never the password */
    public PoolCredentialsMismatchException(String message) {
        super(message, ErrorCode.CREDENTIALS_MISMATCH.sqlState(), ErrorCode.CREDENTIALS_MISMATCH.vendorCode());
    }

    @Override
    public ErrorCode errorCode() {
        return ErrorCode.CREDENTIALS_MISMATCH;
    }
}
