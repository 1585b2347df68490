package dev.pooled;

/**
 * Implemented by every exception this library throws, so a caller can branch on {@link #errorCode()} without
 * parsing messages.
 *
 * @since 0.1.0
 */
public interface PooledJdbcException {
    /** @return the stable code of this error; never {@code null} */
    ErrorCode errorCode();
}
