package dev.pooled;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Reads the database's own errors on borrowed connections for the signs that the server behind them is gone or is no
 * longer the primary, and tells the {@link Reconnector} at the first one, so that the pool evicts every connection to
 * that server at once instead of one per borrower that trips over it. HikariCP calls it (its
 * {@link SQLExceptionOverride} slot, public API; {@code HikariConfig#setExceptionOverride} is in 7.0.2 and 7.1.0)
 * for each exception in the chain of every error a
 * proxy throws, on the application's thread; it costs nothing on the success path.
 *
 * <table>
 * <caption>Signals</caption>
 * <tr><th>what</th><th>PostgreSQL</th><th>MySQL / MariaDB</th></tr>
 * <tr><td>connection broken</td><td>class {@code 08} but {@code 08003} (closed by the client)</td><td>class {@code 08} ({@code 08S01}), 2006, 2013</td></tr>
 * <tr><td>server shutting down, crashed, starting</td><td>{@code 57P01}, {@code 57P02}, {@code 57P03}</td>
 * <td>1053, 1927 (connection killed)</td></tr>
 * <tr><td>server is no longer the primary</td><td>{@code 25006} (read-only transaction)</td>
 * <td>1290 / 1836 (read-only)</td></tr>
 * </table>
 *
 * <p>A read-only error leaves the connection alive, so HikariCP would keep it: here it must be evicted
 * ({@link Override#MUST_EVICT}). For the others HikariCP's own rules already evict the one connection. Thread-safe.
 */
final class FailoverSignals implements SQLExceptionOverride {
    private final Reconnector reconnector;

    FailoverSignals(Reconnector reconnector) {
        this.reconnector = reconnector;
    }

    @java.lang.Override
    public Override adjudicate(SQLException e) {
        int kind = classify(e);
        if (kind == NONE) {
            return Override.CONTINUE_EVICT;
        }
        reconnector.serverLost(e, kind == READ_ONLY);
        return kind == READ_ONLY ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
    }

    static final int NONE = 0;
    static final int LOST = 1;
    static final int READ_ONLY = 2;

    /** @return {@link #NONE}, {@link #LOST} or {@link #READ_ONLY} */
    static int classify(SQLException e) {
        String state = e.getSQLState();
        int code = e.getErrorCode();
        if (state != null) {
            if (state.equals("08003")) {
                // "connection does not exist": this one was closed on the client's side (a caller closed the driver
                // connection under the pool); HikariCP evicts it, the server is fine.
                return NONE;
            }
            if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                return LOST;
            }
            if (state.equals("25006")) {
                return READ_ONLY;
            }
        }
        switch (code) {
            case 1053: // ER_SERVER_SHUTDOWN
            case 1927: // ER_CONNECTION_KILLED (MariaDB)
            case 2006: // CR_SERVER_GONE_ERROR
            case 2013: // CR_SERVER_LOST
                return LOST;
            case 1836: // ER_READ_ONLY_MODE
                return READ_ONLY;
            case 1290: // ER_OPTION_PREVENTS_STATEMENT: only --read-only / --super-read-only say "not the primary"
                String m = e.getMessage();
                return m != null && m.contains("read-only") ? READ_ONLY : NONE;
            default:
                return NONE;
        }
    }
}
