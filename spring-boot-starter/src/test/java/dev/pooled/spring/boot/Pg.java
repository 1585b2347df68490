package dev.pooled.spring.boot;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** The shared PostgreSQL and MariaDB that scripts/test.sh starts, seen from outside the pools under test. */
final class Pg {
    static final String PG = env("POOLED_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String MYSQL = env("POOLED_MYSQL_URL", "jdbc:mysql://127.0.0.1:3306/test");

    private Pg() {
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    /** @return a unique, name-safe tag for services, application names, roles and tables */
    static String tag(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** @return {@code jdbc:pooled:postgresql://...?ApplicationName=<app>} */
    static String pooledUrl(String app) {
        return "jdbc:pooled:" + PG.substring("jdbc:".length()) + "?ApplicationName=" + app;
    }

    static Connection admin() throws SQLException {
        return DriverManager.getConnection(PG + "?user=postgres&ApplicationName=pooled-h6-admin");
    }

    static void exec(String sql) throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** @return sessions the server holds for this application name */
    static int sessions(String app) throws SQLException {
        try (Connection c = admin();
                PreparedStatement ps = c.prepareStatement(
                        "select count(*) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, app);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
