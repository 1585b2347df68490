package dev.pooled;

/**
 * The stable identity of every error this library raises: a vendor code for {@link java.sql.SQLException#getErrorCode()}
 * and the SQLState it is raised with. Codes never change meaning between releases; {@code docs/errors.md} lists them.
 *
 * @since 0.1.0
 */
public enum ErrorCode {
    /** The wait queue was full; the caller was rejected at once. */
    QUEUE_FULL(1001, "08004"),
    /** No connection became available within {@code timeout_ms}. */
    ACQUIRE_TIMEOUT(1002, "08001"),
    /** The caller's thread was interrupted while it waited for a connection. */
    ACQUIRE_INTERRUPTED(1003, "08001"),
    /** The pool is closed or closing; it hands out no more connections. */
    POOL_CLOSED(1004, "08003"),
    /** A setting was missing, malformed or out of range. */
    INVALID_CONFIG(1005, "HY024"),
    /** No JDBC driver on the class path accepts the URL behind {@code jdbc:pooled:}. */
    NO_DELEGATE_DRIVER(1006, "08001"),
    /** A request named an existing pool with different pool settings. */
    POOL_CONFLICT(1007, "HY024"),
    /** A request named an existing pool with a password other than the one the pool was built with. */
    CREDENTIALS_MISMATCH(1008, "28000"),
    /** The pool could not open its first physical connection; the driver's error is the cause. */
    POOL_START_FAILED(1009, "08001"),
    /**
     * Transaction mode refused a statement that would pin the logical connection to its physical one
     * ({@code pin_policy=reject}); nothing was sent to the database.
     */
    PIN_REJECTED(1010, "0A000"),
    /**
     * Rejected at once instead of queueing: the caller's expected wait (its place in the queue times the time one
     * connection now takes to come back) exceeded its {@code timeout_ms}.
     */
    OVERLOADED(1011, "08004"),
    /** The circuit breaker is open after too many failed physical acquisitions; rejected at once. */
    CIRCUIT_OPEN(1012, "08004"),
    /** More than {@code max_acquire_rate} acquisitions in the current second; rejected at once. */
    RATE_LIMITED(1013, "08004"),
    /** A pool named a budget that already runs in this process with another {@code budget_max}. */
    BUDGET_CONFLICT(1014, "HY024"),
    /**
     * {@code getConnection(priority)} was called with a priority outside {@value PoolConfig#MIN_PRIORITY} to
     * {@value PoolConfig#MAX_PRIORITY}: the caller's argument is wrong, not the pool or the database (SQLState
     * {@code 22023}, invalid parameter value).
     */
    INVALID_PRIORITY(1016, "22023");

    private final int vendorCode;
    private final String sqlState;

    ErrorCode(int vendorCode, String sqlState) {
        this.vendorCode = vendorCode;
        this.sqlState = sqlState;
    }

    /** @return the value of {@link java.sql.SQLException#getErrorCode()} for this error */
    public int vendorCode() {
        return vendorCode;
    }

    /** @return the five-character SQLState this error is raised with */
    public String sqlState() {
        return sqlState;
    }
}
