package dev.pooled;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which database errors say "the server is gone or no longer the primary", and which configuration errors at start. */
@Timeout(10)
class FailoverSignalsTest {
    private static int kind(String state, int code, String message) {
        return FailoverSignals.classify(new SQLException(message, state, code));
    }

    @Test
    void postgresFatalStatesAreSignals() {
        assertThat(kind("08006", 0, "I/O error")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("08001", 0, "refused")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("57P01", 0, "terminating connection due to administrator command"))
                .isEqualTo(FailoverSignals.LOST);
        assertThat(kind("57P02", 0, "crash shutdown")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("57P03", 0, "the database system is starting up")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("25006", 0, "cannot execute INSERT in a read-only transaction"))
                .isEqualTo(FailoverSignals.READ_ONLY);
    }

    @Test
    void mysqlFatalCodesAreSignals() {
        assertThat(kind("08S01", 0, "Communications link failure")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("HY000", 2013, "Lost connection")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("HY000", 1053, "Server shutdown in progress")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("70100", 1927, "Connection was killed")).isEqualTo(FailoverSignals.LOST);
        assertThat(kind("HY000", 1290, "The MariaDB server is running with the --read-only option"))
                .isEqualTo(FailoverSignals.READ_ONLY);
        assertThat(kind("HY000", 1290, "running with the --secure-file-priv option")).isEqualTo(FailoverSignals.NONE);
    }

    @Test
    void ordinaryErrorsAndAClientSideCloseAreNot() {
        assertThat(kind("08003", 0, "This connection has been closed.")).isEqualTo(FailoverSignals.NONE);
        assertThat(kind("23505", 0, "duplicate key")).isEqualTo(FailoverSignals.NONE);
        assertThat(kind("57014", 0, "canceling statement due to statement timeout")).isEqualTo(FailoverSignals.NONE);
        assertThat(kind("40001", 1015, "bind failed")).isEqualTo(FailoverSignals.NONE);
        assertThat(kind(null, 0, "no state")).isEqualTo(FailoverSignals.NONE);
    }

    @Test
    void atStartOnlyUnreachableServersAreRetriedInTheBackground() {
        assertThat(ConnectionPool.unreachable(new SQLException("refused", "08001"))).isTrue();
        assertThat(ConnectionPool.unreachable(new SQLException("starting up", "57P03"))).isTrue();
        assertThat(ConnectionPool.unreachable(new SQLException("too many clients", "53300"))).isTrue();
        assertThat(ConnectionPool.unreachable(new SQLException("io", (String) null))).isTrue();
        assertThat(ConnectionPool.unreachable(new SQLException("Too many connections", "08004", 1040))).isTrue();
        assertThat(ConnectionPool.unreachable(new SQLException("password authentication failed", "28P01")))
                .isFalse();
        assertThat(ConnectionPool.unreachable(new SQLException("no pg_hba.conf entry", "28000"))).isFalse();
        assertThat(ConnectionPool.unreachable(new SQLException("database does not exist", "3D000"))).isFalse();
        assertThat(ConnectionPool.unreachable(new SQLException("Access denied", "28000", 1045))).isFalse();
        assertThat(ConnectionPool.unreachable(new SQLException("Unknown database", "42000", 1049))).isFalse();
        // Connector/J reports an access denial with state 08004 sometimes: the code decides.
        assertThat(ConnectionPool.unreachable(new SQLException("Access denied", "08004", 1045))).isFalse();
    }
}
