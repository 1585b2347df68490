package dev.pooled.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.jdbc.InvalidPooledUrlException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Without pooled-jdbc-etcd on the class path, its settings are refused with the module's name, not ignored. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ExtensionSettingsTest {

    @Test
    void etcdSettingsWithoutTheModuleNameIt() {
        Properties p = new Properties();
        p.setProperty("pooled.instance_id", "web-1");
        assertThatThrownBy(() -> PooledRequest.parse(
                "jdbc:pooled:postgresql://127.0.0.1/db?pooled.etcd.endpoints=http://127.0.0.1:2379", p, null, false))
                .isInstanceOf(InvalidPooledUrlException.class)
                .hasMessageContaining("pooled.etcd.endpoints needs dev.pooled:pooled-jdbc-etcd on the class path")
                .hasMessageContaining("pooled.instance_id needs dev.pooled:pooled-jdbc-etcd on the class path");
    }
}
