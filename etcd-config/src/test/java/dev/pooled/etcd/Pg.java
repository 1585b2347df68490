package dev.pooled.etcd;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/** PostgreSQL helpers: pools of the driver's data source configured for etcd, and server-side session counts. */
public final class Pg {
    public static final String URL = System.getProperty("pooled.test.pg", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = "postgres";

    private Pg() {
    }

    /**
     * @return a pool of the driver's {@link PooledDataSource}, with {@code pooled.etcd.*} settings for {@code etcd},
     *         whose sessions carry {@code appName}
     */
    public static PooledDataSource pool(String url, String user, String password, EtcdSettings etcd,
            String instanceId, String appName, Map<String, String> settings, Instrumentation instrumentation)
            throws SQLException {
        PooledDataSource.Builder b = PooledDataSource.builder().url(url).user(user)
                .property("ApplicationName", appName)
                .property("pooled.etcd.endpoints", etcd.endpointsText())
                .property("pooled.etcd.namespace", etcd.namespace())
                .property("pooled.etcd.timeout_ms", Long.toString(etcd.timeout().toMillis()))
                .property("pooled.etcd.lease_ttl_s", Long.toString(etcd.leaseTtl().toSeconds()))
                .property("pooled.instance_id", instanceId)
                .instrumentation(instrumentation);
        if (password != null) {
            b.password(password);
        }
        settings.forEach(b::set);
        return b.build();
    }

    /** @return sessions PostgreSQL has now for one application_name (its own backends count, not ours) */
    public static int sessions(String appName) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, "");
                PreparedStatement ps = c.prepareStatement(
                        "select count(*) from pg_stat_activity where application_name = ?")) {
            ps.setString(1, appName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
