package dev.pooled.etcd;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import java.util.Map;

/**
 * A separate JVM running one pool on etcd, for {@link SeparateProcessesIT}: args are the etcd endpoint, namespace,
 * service, instance id and application_name. Runs until its standard input closes.
 */
public final class ChildInstance {
    private ChildInstance() {
    }

    public static void main(String[] args) throws Exception {
        EtcdSettings etcd = EtcdSettings.builder().endpoints(args[0]).namespace(args[1]).build();
        try (PooledDataSource ds = Pg.pool(Pg.URL, Pg.USER, null, etcd, args[3], args[4],
                Map.of("service", args[2], "db_role", "app", "max_connections", "3", "sizing", "fixed"),
                Instrumentation.builder().jmx(false).build())) {
            System.out.println("started " + args[3] + " version " + ds.stats().configVersion());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Until the parent closes our input (or dies).
            }
        }
    }
}
