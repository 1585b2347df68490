package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §1, session mode: what HikariCP does not reset — {@code SET ROLE}, {@code SET SESSION AUTHORIZATION},
 * {@code SET search_path}, session settings — reaches the next borrower in session mode, as
 * {@code docs/security.md} says loudly; transaction mode never hands it on. On a real PostgreSQL, one connection,
 * so the next borrower gets the same session.
 */
@Timeout(120)
class SessionStateIT {
    static final String ROLE = "pooled_ss_" + UUID.randomUUID().toString().substring(0, 8);
    private final String service = Servers.tag("ss");

    @BeforeAll
    static void role() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + ROLE + " NOLOGIN");
        }
    }

    @AfterAll
    static void drop() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + ROLE);
        }
    }

    @AfterEach
    void close() {
        Servers.closePools(service);
    }

    private String url(String mode) {
        return Servers.pgPooled(service, "pooled.service=" + service + "&pooled.max_connections=1"
                + "&pooled.sizing=fixed&pooled.mode=" + mode);
    }

    private String nextBorrowerAfter(String mode, String sql, String probe) throws SQLException {
        try (Connection a = DriverManager.getConnection(url(mode)); Statement st = a.createStatement()) {
            st.execute(sql);
        }
        try (Connection b = DriverManager.getConnection(url(mode))) {
            return Servers.queryString(b, probe);
        }
    }

    @Test
    void sessionModeHandsSessionStateToTheNextBorrowerAsDocumented() throws Exception {
        assertThat(nextBorrowerAfter("session", "SET ROLE " + ROLE, "select current_user")).isEqualTo(ROLE);
        assertThat(nextBorrowerAfter("session", "RESET ROLE; SET search_path = pooled_nowhere",
                "show search_path")).isEqualTo("pooled_nowhere");
    }

    @Test
    void transactionModeNeverDoes() throws Exception {
        assertThat(nextBorrowerAfter("transaction", "SET ROLE " + ROLE, "select current_user"))
                .isEqualTo("postgres");
        assertThat(nextBorrowerAfter("transaction", "SET SESSION AUTHORIZATION " + ROLE, "select session_user"))
                .isEqualTo("postgres");
        assertThat(nextBorrowerAfter("transaction", "SET search_path = pooled_nowhere", "show search_path"))
                .isNotEqualTo("pooled_nowhere");
    }
}
