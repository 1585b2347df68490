package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §1: {@code pooled.reset=always} (the default) returns every physical connection clean after every
 * transaction, including state changed out of the classifier's sight — a function calling {@code set_config(…,
 * false)} or {@code pg_advisory_lock}, a trigger — on a real PostgreSQL; {@code minimal} does not (which is what
 * proves these tests can fail). One physical connection, so the next logical connection gets the same session.
 */
@Timeout(120)
class ResetAlwaysPostgresIT {
    static final String TAG = "pooled_rst_" + UUID.randomUUID().toString().substring(0, 8);
    static final long LOCK_KEY = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L) + 7;
    private final String service = Servers.tag("rst");

    @BeforeAll
    static void functions() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("create function " + TAG + "_tenant(t text) returns text language sql as"
                    + " $$ select set_config('app.tenant', t, false) $$");
            st.execute("create function " + TAG + "_lock(k bigint) returns void language sql as"
                    + " $$ select pg_advisory_lock(k) $$");
            st.execute("create table " + TAG + "_t(id int)");
            st.execute("create function " + TAG + "_trg() returns trigger language plpgsql as"
                    + " $$ begin perform set_config('app.tenant', 'from-trigger', false); return new; end $$");
            st.execute("create trigger " + TAG + "_trg before insert on " + TAG + "_t for each row execute"
                    + " function " + TAG + "_trg()");
        }
    }

    @AfterAll
    static void drop() throws SQLException {
        try (Connection c = Servers.pgAdmin(); Statement st = c.createStatement()) {
            st.execute("drop table if exists " + TAG + "_t");
            st.execute("drop function if exists " + TAG + "_trg()");
            st.execute("drop function if exists " + TAG + "_tenant(text)");
            st.execute("drop function if exists " + TAG + "_lock(bigint)");
        }
    }

    @AfterEach
    void close() {
        Servers.closePools(service);
    }

    private String url(String reset) {
        return Servers.pgPooled(service, "pooled.service=" + service + "&pooled.mode=transaction"
                + "&pooled.max_connections=1&pooled.sizing=fixed" + (reset == null ? "" : "&pooled.reset=" + reset));
    }

    /** @return app.tenant as the next logical connection sees it, after one that ran {@code sql} in a transaction */
    private String leftBehind(String reset, String sql, boolean autoCommit) throws SQLException {
        try (Connection a = DriverManager.getConnection(url(reset))) {
            a.setAutoCommit(autoCommit);
            try (Statement st = a.createStatement()) {
                st.execute(sql);
            }
            if (!autoCommit) {
                a.commit();
            }
            try (Connection b = DriverManager.getConnection(url(reset))) {
                String v = Servers.queryString(b, "select coalesce(current_setting('app.tenant', true), '')");
                return v;
            }
        }
    }

    private static long locksHeld() throws SQLException {
        try (Connection c = Servers.pgAdmin(); PreparedStatement ps = c.prepareStatement(
                "select count(*) from pg_locks where locktype = 'advisory' and objid = ? and granted")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aSettingChangedInsideAFunctionDoesNotReachTheNextTenant() throws Exception {
        assertThat(leftBehind(null, "select " + TAG + "_tenant('42')", false)).as("default = always").isEmpty();
        assertThat(leftBehind("always", "select " + TAG + "_tenant('43')", true)).as("auto-commit").isEmpty();
        Servers.closePools(service);
        assertThat(leftBehind("minimal", "select " + TAG + "_tenant('44')", false))
                .as("minimal does leak it: the classifier cannot see into the function").isEqualTo("44");
    }

    @Test
    void aSettingChangedByATriggerDoesNotReachTheNextTenant() throws Exception {
        assertThat(leftBehind("always", "insert into " + TAG + "_t values (1)", false)).isEmpty();
        Servers.closePools(service);
        assertThat(leftBehind("minimal", "insert into " + TAG + "_t values (2)", false)).isEqualTo("from-trigger");
    }

    @Test
    void anAdvisoryLockTakenInsideAFunctionIsReleased() throws Exception {
        try (Connection a = DriverManager.getConnection(url("always"))) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("select " + TAG + "_lock(" + LOCK_KEY + ")");
            }
            a.commit();
            assertThat(locksHeld()).isZero();
        }
        Servers.closePools(service);
        try (Connection a = DriverManager.getConnection(url("minimal"))) {
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.execute("select " + TAG + "_lock(" + LOCK_KEY + ")");
            }
            a.commit();
            assertThat(locksHeld()).as("minimal keeps it").isEqualTo(1);
        }
    }

    @Test
    void serverPreparedStatementsSurviveTheResetAndDriverSettingsAreRestored() throws Exception {
        try (Connection a = DriverManager.getConnection(url("always") + "&prepareThreshold=1")) {
            a.setAutoCommit(false);
            for (int i = 0; i < 20; i++) {
                try (PreparedStatement ps = a.prepareStatement("select ?::int + 1")) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(i + 1);
                    }
                }
                a.commit();
            }
            assertThat(Servers.queryString(a, "show application_name")).isEqualTo(service);
            assertThat(Servers.queryLong(a, "select count(*) from pg_prepared_statements"))
                    .as("pgjdbc's statement was not deallocated").isPositive();
            a.commit();
        }
        TransactionModeStats stats = Servers.txStats(Servers.pool(service));
        assertThat(stats.evictions()).as("a clean session is reset, not closed").isZero();
        assertThat(stats.fullResets()).isZero();
    }
}
