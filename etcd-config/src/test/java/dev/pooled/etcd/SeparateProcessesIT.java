package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Instances in separate JVMs take a record change, report it under their lease-bound keys, and leave on exit. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SeparateProcessesIT {

    @Test
    void everyProcessAppliesAndReportsTheRecord() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ns = EtcdTesting.freshNamespace();
        EtcdSettings etcd = EtcdTesting.settings(ns);
        String service = "procs-" + run;
        List<Process> children = new ArrayList<>();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        try (ConfigAdmin admin = new ConfigAdmin(etcd)) {
            for (int i = 0; i < 2; i++) {
                children.add(new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                        ChildInstance.class.getName(), EtcdTesting.ENDPOINT, ns, service, "proc-" + i,
                        "h4-procs-" + run + "-" + i)
                        .redirectErrorStream(true)
                        .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "h4-procs-" + run + "-" + i
                                + ".log"))
                        .start());
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> admin.instances(service).size() == 2);
            for (int i = 0; i < 2; i++) {
                String app = "h4-procs-" + run + "-" + i;
                await().atMost(Duration.ofSeconds(30)).until(() -> Pg.sessions(app) == 3);
            }
            long v = admin.set(service, "app", "{\"max_connections\": 5}", 0, false);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.instances(service).values().stream()
                    .allMatch(m -> applied(m) == v));
            for (int i = 0; i < 2; i++) {
                String app = "h4-procs-" + run + "-" + i;
                await().atMost(Duration.ofSeconds(30)).until(() -> Pg.sessions(app) == 5);
            }
            // A process that ends takes its instance key with it (the lease is revoked on close).
            children.get(0).getOutputStream().close();
            assertThat(children.get(0).waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.instances(service).keySet()
                    .equals(java.util.Set.of("proc-1")));
        } finally {
            for (Process p : children) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            try (var c = etcd.newClient()) {
                EtcdTesting.wipe(c, ns);
            }
        }
    }

    private static long applied(Map<String, Object> instance) {
        Object pools = instance.get("pools");
        if (pools instanceof Map<?, ?> pm && pm.get("app") instanceof Map<?, ?> app
                && app.get("applied_version") instanceof Number n) {
            return n.longValue();
        }
        return -1;
    }
}
