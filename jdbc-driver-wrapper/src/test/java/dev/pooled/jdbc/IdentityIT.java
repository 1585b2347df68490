package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.ErrorCode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §1: a request is served only by a pool started for exactly that request — its effective properties,
 * the {@link Properties} defaults chain included — on a real PostgreSQL, through {@link DriverManager}.
 */
@Timeout(120)
class IdentityIT {
    static final String ALICE = "pooled_id_a_" + UUID.randomUUID().toString().substring(0, 8);
    static final String BOB = "pooled_id_b_" + UUID.randomUUID().toString().substring(0, 8);
    private final String service = Servers.tag("id");

    @BeforeAll
    static void roles() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + ALICE + " LOGIN");
            st.execute("CREATE ROLE " + BOB + " LOGIN");
        }
    }

    @AfterAll
    static void dropRoles() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + ALICE);
            st.execute("DROP ROLE IF EXISTS " + BOB);
        }
    }

    @AfterEach
    void close() {
        Servers.closePools(service);
    }

    private String url() {
        return "jdbc:pooled:" + Servers.PG.substring("jdbc:".length()) + "?pooled.service=" + service
                + "&pooled.db_role=r&ApplicationName=" + service;
    }

    private static Properties defaultsOf(String... kv) {
        Properties d = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            d.setProperty(kv[i], kv[i + 1]);
        }
        return new Properties(d);
    }

    @Test
    void aUserFromPropertiesDefaultsGetsItsOwnPoolNotTheFirstCallersPool() throws Exception {
        Properties alice = new Properties();
        alice.setProperty("user", ALICE);
        try (Connection c = DriverManager.getConnection(url() + "&user=" + ALICE, new Properties())) {
            assertThat(Servers.queryString(c, "select current_user")).isEqualTo(ALICE);
        }
        // Same URL (user alice in it), but the caller's properties say bob through their defaults: a property
        // wins over the URL, so this must be bob's connection or an error, never alice's.
        try (Connection c = DriverManager.getConnection(url() + "&user=" + ALICE, defaultsOf("user", BOB))) {
            assertThat(Servers.queryString(c, "select current_user")).isEqualTo(BOB);
        }
        try (Connection c = DriverManager.getConnection(url() + "&user=" + ALICE, new Properties())) {
            assertThat(Servers.queryString(c, "select current_user")).as("the route cache still serves alice")
                    .isEqualTo(ALICE);
        }
    }

    @Test
    void settingsFromPropertiesDefaultsAreNeverIgnored() throws Exception {
        String u = url() + "&user=" + ALICE;
        try (Connection c = DriverManager.getConnection(u, new Properties())) {
            assertThat(c.isReadOnly()).isFalse();
        }
        for (Properties p : new Properties[] {defaultsOf("readOnly", "true"),
                defaultsOf("pooled.mode", "transaction"), defaultsOf("pooled.max_connections", "3")}) {
            assertThatThrownBy(() -> DriverManager.getConnection(u, p).close())
                    .as("defaults %s", p.stringPropertyNames())
                    .isInstanceOfSatisfying(InvalidPooledUrlException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.POOL_CONFLICT));
        }
        // In a service of its own a connection property from the defaults takes effect.
        try (Connection c = DriverManager.getConnection(u.replace(service, service + "-ro"),
                defaultsOf("options", "-c statement_timeout=1234"))) {
            assertThat(Servers.queryString(c, "show statement_timeout")).isEqualTo("1234ms");
        } finally {
            Servers.closePools(service + "-ro");
        }
    }
}
