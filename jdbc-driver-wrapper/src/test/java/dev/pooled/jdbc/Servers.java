package dev.pooled.jdbc;

import dev.pooled.ConnectionPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

/** Where the real servers started by scripts/test.sh listen, and how to look at them from outside the pool. */
final class Servers {
    static final String PG = env("POOLED_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String MYSQL = env("POOLED_MYSQL_URL", "jdbc:mysql://127.0.0.1:3306/test");
    static final String MYSQL_USER = "pooled_it";

    private Servers() {
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    /** @return a unique tag for service names and application names */
    static String tag(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** @return {@code jdbc:pooled:postgresql://...?user=postgres&ApplicationName=<app>} plus extra parameters */
    static String pgPooled(String app, String extra) {
        return "jdbc:pooled:" + PG.substring("jdbc:".length()) + "?user=postgres&ApplicationName=" + app
                + (extra.isEmpty() ? "" : "&" + extra);
    }

    static Connection pgAdmin() throws SQLException {
        return DriverManager.getConnection(PG + "?user=postgres&ApplicationName=pooled-it-admin");
    }

    /** @return sessions the server holds for this application name */
    static int pgSessions(String app) throws SQLException {
        try (Connection c = pgAdmin();
                PreparedStatement ps = c.prepareStatement(
                        "select count(*) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, app);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static Connection mysqlAdmin() throws SQLException {
        return DriverManager.getConnection(MYSQL + "?user=root&password=");
    }

    /** Creates the user the MySQL tests pool for, so its sessions can be counted apart from everyone else's. */
    static void ensureMysqlUser() throws SQLException {
        try (Connection c = mysqlAdmin(); var st = c.createStatement()) {
            for (String host : new String[] {"localhost", "127.0.0.1", "%"}) {
                st.execute("CREATE USER IF NOT EXISTS '" + MYSQL_USER + "'@'" + host + "' IDENTIFIED BY 'it-pw'");
                st.execute("GRANT ALL ON *.* TO '" + MYSQL_USER + "'@'" + host + "'");
            }
        }
    }

    /** @return sessions the MySQL server holds for {@link #MYSQL_USER} */
    static int mysqlSessions() throws SQLException {
        try (Connection c = mysqlAdmin(); PreparedStatement ps = c.prepareStatement(
                "select count(*) from information_schema.processlist where user = ?"
                        + " and coalesce(db, '') <> 'information_schema'")) { // not the pool's database sampler
            ps.setString(1, MYSQL_USER);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Closes the driver's pools for one service, aborting anything still borrowed. */
    static void closePools(String service) {
        for (ConnectionPool p : PooledDriver.registry().pools()) {
            if (p.config().service().equals(service)) {
                PooledDriver.registry().remove(p, Duration.ZERO);
            }
        }
    }

    /** @return the first column of the first row of {@code sql} on {@code c} */
    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** @return the first column of the first row of {@code sql} on {@code c} */
    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** @return the transaction-mode figures of a driver pool */
    static TransactionModeStats txStats(ConnectionPool pool) {
        return PooledDriver.registry().transactionModeStats(pool).orElseThrow();
    }

    static ConnectionPool pool(String service) {
        return PooledDriver.registry().pools().stream().filter(p -> p.config().service().equals(service))
                .findFirst().orElseThrow();
    }
}
