package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.jdbc.PooledDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS (with a client certificate) and etcd's own authentication, against an etcd of the test's own: pooledctl's
 * admin writes a record and a pool configured with pooled.etcd.ca_file/cert_file/key_file/user/password_ref loads
 * it; the wrong password is refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecureEtcdIT {
    @TempDir
    Path dir;

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }

    private void cert(String name, String cn, String san) throws Exception {
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name + ".key");
        run("openssl", "req", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr");
        Files.writeString(dir.resolve(name + ".ext"), san == null ? "extendedKeyUsage=clientAuth\n"
                : "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem");
    }

    @Test
    void mutualTlsAndPasswordAuth() throws Exception {
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-subj", "/CN=pooled-test-ca", "-days", "2", "-out", "ca.pem");
        cert("server", "127.0.0.1", "IP:127.0.0.1");
        cert("client", "pooled-client", null);
        Path ca = dir.resolve("ca.pem");
        List<String> tls = List.of("--cert-file", dir.resolve("server.pem").toString(), "--key-file",
                dir.resolve("server.key").toString(), "--trusted-ca-file", ca.toString(), "--client-cert-auth");
        try (PrivateEtcd server = new PrivateEtcd(tls, true)) {
            List<String> ctl = new ArrayList<>(List.of("etcdctl", "--endpoints", server.endpoint(), "--cacert",
                    ca.toString(), "--cert", dir.resolve("client.pem").toString(), "--key",
                    dir.resolve("client.key").toString()));
            for (List<String> c : List.of(List.of("user", "add", "root:root-secret-1"), List.of("role", "add", "root"),
                    List.of("user", "grant-role", "root", "root"), List.of("auth", "enable"))) {
                List<String> all = new ArrayList<>(ctl);
                all.addAll(c);
                run(all.toArray(new String[0]));
            }
            Path pw = Files.writeString(dir.resolve("etcd-password"), "root-secret-1\n");
            EtcdSettings secure = EtcdSettings.parse(java.util.Map.of("etcd.endpoints", server.endpoint(),
                    "etcd.ca_file", ca.toString(), "etcd.cert_file", dir.resolve("client.pem").toString(),
                    "etcd.key_file", dir.resolve("client.key").toString(), "etcd.user", "root",
                    "etcd.password_ref", "file:" + pw, "etcd.timeout_ms", "3000"));
            assertThat(secure.toString()).doesNotContain("root-secret-1");
            String run = UUID.randomUUID().toString().substring(0, 8);
            long v;
            try (ConfigAdmin admin = new ConfigAdmin(secure)) {
                v = admin.set("tls-" + run, "app", "{\"max_connections\": 3}", 0, false);
            }
            try (PooledDataSource ds = PooledDataSource.builder().url(Pg.URL).user(Pg.USER)
                    .property("pooled.service", "tls-" + run).property("pooled.db_role", "app")
                    .property("pooled.etcd.endpoints", server.endpoint())
                    .property("pooled.etcd.ca_file", ca.toString())
                    .property("pooled.etcd.cert_file", dir.resolve("client.pem").toString())
                    .property("pooled.etcd.key_file", dir.resolve("client.key").toString())
                    .property("pooled.etcd.user", "root").property("pooled.etcd.password_ref", "file:" + pw)
                    .property("pooled.instance_id", "tls-1")
                    .instrumentation(Instrumentation.builder().jmx(false).build()).build()) {
                assertThat(ds.stats().configVersion()).isEqualTo(v);
                assertThat(ds.pool().config().maxConnections()).isEqualTo(3);
                try (ConfigAdmin admin = new ConfigAdmin(secure)) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> admin.instances("tls-" + run)
                            .containsKey("tls-1"));
                }
            }
            EtcdSettings wrong = EtcdSettings.builder().endpoints(server.endpoint()).tls(ca,
                    dir.resolve("client.pem"), dir.resolve("client.key")).auth("root", "not-the-password")
                    .timeout(Duration.ofSeconds(3)).build();
            try (ConfigAdmin admin = new ConfigAdmin(wrong)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.get("tls-" + run, "app"))
                        .isInstanceOf(ConfigAdmin.EtcdException.class)
                        .hasMessageNotContaining("not-the-password");
            }
        }
    }
}
