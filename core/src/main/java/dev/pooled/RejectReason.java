package dev.pooled;

import java.util.Locale;

/**
 * Why a request was turned away without a connection.
 *
 * @since 0.1.0
 */
public enum RejectReason {
    /** {@code max_queue} callers already waited. */
    QUEUE_FULL,
    /** No connection within {@code timeout_ms}, or the database gave none. */
    TIMEOUT,
    /** The pool was closed or closing. */
    CLOSED,
    /** The caller's thread was interrupted while it waited. */
    INTERRUPTED,
    /** Its expected wait in the queue exceeded {@code timeout_ms}; rejected at once (adaptive throttling). */
    OVERLOADED,
    /** The circuit breaker was open. */
    CIRCUIT_OPEN,
    /** More than {@code max_acquire_rate} acquisitions per second. */
    RATE_LIMITED,
    /**
     * The database itself refused a new connection for want of room (PostgreSQL {@code 53300} "too many clients",
     * MySQL 1040 "too many connections", 1203 "max_user_connections"). Counted apart from timeouts and not against the
     * circuit breaker: a full server is a signal to stop growing, not an outage.
     */
    DATABASE_FULL;

    /** @return the tag value, such as {@code queue_full} */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
