package dev.pooled.jdbc;

import java.util.Locale;

/**
 * Why transaction mode pinned a logical connection to its physical one: the statement (or call) left session state
 * behind that a later transaction of the same logical connection may rely on, so the physical connection stays
 * bound until the logical connection closes and is then reset before anyone else gets it. {@code
 * docs/transaction-mode.md} lists every statement behind each reason.
 *
 * @since 0.1.0
 */
public enum PinReason {
    /**
     * A session-level setting: PostgreSQL {@code SET}, {@code SET SESSION}, {@code set_config(..., false)}; MySQL
     * {@code SET SESSION}, {@code SET NAMES}, {@code SET TRANSACTION}, ....
     */
    SESSION_SETTING,
    /** A MySQL user variable ({@code @v}) was set or read. */
    USER_VARIABLE,
    /** A prepared statement made with SQL {@code PREPARE} (or removed with {@code DEALLOCATE} on PostgreSQL). */
    PREPARED_STATEMENT,
    /** PostgreSQL {@code LISTEN}. */
    LISTEN,
    /** A temporary table, view or sequence that outlives the transaction. */
    TEMPORARY_TABLE,
    /** A session-level advisory lock: PostgreSQL {@code pg_advisory_lock} and friends, MySQL {@code GET_LOCK}. */
    ADVISORY_LOCK,
    /** MySQL {@code LOCK TABLES}, {@code LOCK INSTANCE}, {@code FLUSH TABLES ... WITH READ LOCK / FOR EXPORT}. */
    TABLE_LOCK,
    /** PostgreSQL {@code DECLARE ... WITH HOLD}: a cursor that outlives its transaction. */
    CURSOR_WITH_HOLD,
    /** MySQL {@code USE}: the session's default database changed. */
    DEFAULT_DATABASE,
    /** PostgreSQL {@code LOAD}: a library loaded into the session. */
    LOAD,
    /** The caller unwrapped a driver object ({@code unwrap}) and may hold on to the physical connection. */
    UNWRAP,
    /** Anything else the classifier does not know, or could not read (for example an unterminated quote). */
    OTHER;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** @return the lower-case name, for metric tags and logs ({@code session_setting}, {@code listen}, ...) */
    public String tag() {
        return tag;
    }
}
