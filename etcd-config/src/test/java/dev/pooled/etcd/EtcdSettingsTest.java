package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.PoolConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EtcdSettingsTest {

    @Test
    void parsesPrefixedAndPlainNamesAndIgnoresOthers() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pooled.etcd.endpoints", "http://127.0.0.1:2379, http://127.0.0.2:2379");
        m.put("etcd.namespace", "/team-a/prod");
        m.put("pooled.max_connections", "7");
        m.put("etcd.timeout_ms", "1500");
        EtcdSettings s = EtcdSettings.parse(m);
        assertThat(s.endpoints()).hasSize(2);
        assertThat(s.endpointsText()).isEqualTo("http://127.0.0.1:2379,http://127.0.0.2:2379");
        assertThat(s.namespace()).isEqualTo("/team-a/prod");
        assertThat(s.timeout().toMillis()).isEqualTo(1500);
        assertThat(s.tls()).isFalse();
        assertThat(s.keys().config("orders", "app")).isEqualTo("/team-a/prod/pooled/v1/config/orders/app");
    }

    @Test
    void reportsEveryViolationAtOnce() {
        Map<String, String> m = Map.of("etcd.endpoints", "127.0.0.1:2379", "etcd.namespace", "team-a/",
                "etcd.timeout_ms", "abc", "etcd.lease_ttl_s", "1", "etcd.cert_file", "/nonexistent/c.pem");
        assertThatThrownBy(() -> EtcdSettings.parse(m)).isInstanceOfSatisfying(PoolConfigException.class, e -> {
            assertThat(e.violations()).extracting(PoolConfigException.Violation::key).contains(EtcdSettings.ENDPOINTS,
                    EtcdSettings.NAMESPACE, EtcdSettings.TIMEOUT_MS, EtcdSettings.LEASE_TTL_S, EtcdSettings.KEY_FILE,
                    EtcdSettings.CERT_FILE);
            assertThat(e.getMessage()).contains("etcd.endpoints=127.0.0.1:2379: '127.0.0.1:2379' is not an http");
        });
    }

    @Test
    void neverShowsThePassword() {
        EtcdSettings s = EtcdSettings.parse(Map.of("etcd.endpoints", "http://127.0.0.1:2379", "etcd.user", "root",
                "etcd.password", "s3cr3t-pw"));
        assertThat(s.toString()).doesNotContain("s3cr3t-pw").contains("****");
        assertThat(s.asMap().values()).doesNotContain("s3cr3t-pw");
        assertThatThrownBy(() -> EtcdSettings.parse(Map.of("etcd.endpoints", "http://127.0.0.1:2379",
                "etcd.password", "s3cr3t-pw")))
                .hasMessageContaining("etcd.password=****: needs etcd.user")
                .hasMessageNotContaining("s3cr3t-pw");
    }

    @Test
    void readsThePasswordFromAReference(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "from-file\n");
        EtcdSettings s = EtcdSettings.parse(Map.of("etcd.endpoints", "http://127.0.0.1:2379", "etcd.user", "root",
                "etcd.password_ref", "file:" + f));
        assertThat(s.toString()).doesNotContain("from-file");
        assertThat(s).isEqualTo(EtcdSettings.builder().endpoints("http://127.0.0.1:2379").auth("root", "from-file")
                .build());
        assertThatThrownBy(() -> EtcdSettings.parse(Map.of("etcd.endpoints", "http://127.0.0.1:2379",
                "etcd.user", "root", "etcd.password_ref", "env:POOLED_SURELY_UNSET_VARIABLE")))
                .hasMessageContaining("etcd.password_ref=env:POOLED_SURELY_UNSET_VARIABLE: names an environment"
                        + " variable that is not set");
        assertThatThrownBy(() -> EtcdSettings.parse(Map.of("etcd.endpoints", "http://127.0.0.1:2379",
                "etcd.password_ref", "vault:x")))
                .hasMessageContaining("must be env:NAME (an environment variable) or file:/absolute/path");
    }

    @Test
    void tlsFilesNeedHttps(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        assertThatThrownBy(() -> EtcdSettings.parse(Map.of("etcd.endpoints", "http://127.0.0.1:2379",
                "etcd.ca_file", ca.toString()))).hasMessageContaining("TLS files need https:// endpoints");
        EtcdSettings s = EtcdSettings.parse(Map.of("etcd.endpoints", "https://127.0.0.1:2379",
                "etcd.ca_file", ca.toString()));
        assertThat(s.tls()).isTrue();
        // Not a certificate: building the client says which file and why.
        assertThatThrownBy(s::newClient).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("etcd.ca_file=" + ca);
    }

    @Test
    void instanceIdDefaultsToHostAndPidAndHashesStably() {
        InstanceId id = InstanceId.from(Map.of());
        assertThat(id.value()).endsWith("-" + ProcessHandle.current().pid());
        assertThat(InstanceId.from(Map.of("pooled.instance_id", "web-1")).value()).isEqualTo("web-1");
        // SHA-256("web-1") starts with bytes whose big-endian uint32 mod 100 is fixed: a change here changes which
        // instances every staged rollout reaches, so it must be deliberate.
        // (python3: int.from_bytes(hashlib.sha256(b'web-1').digest()[:4], 'big') % 100 == 78)
        assertThat(new InstanceId("web-1").bucket()).isEqualTo(78);
        assertThat(new InstanceId("a").inStage(100)).isTrue();
        assertThat(new InstanceId("a").inStage(0)).isFalse();
        assertThatThrownBy(() -> new InstanceId("web 1")).hasMessageContaining("instance_id=web 1: must be");
    }

    @Test
    void keysRefuseSegmentsWithSlashes() {
        EtcdKeys k = new EtcdKeys("");
        assertThat(k.instance("orders", "web-1")).isEqualTo("/pooled/v1/instances/orders/web-1");
        assertThat(k.history("orders", "app", 42)).isEqualTo("/pooled/v1/history/orders/app/00000000000000000042");
        assertThatThrownBy(() -> k.config("a/b", "c")).isInstanceOf(IllegalArgumentException.class);
    }
}
