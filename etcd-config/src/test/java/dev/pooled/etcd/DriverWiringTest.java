package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.jdbc.InvalidPooledUrlException;
import dev.pooled.jdbc.PooledDataSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With this module on the class path the driver hands it the etcd settings and reports their mistakes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DriverWiringTest {

    @Test
    void aMisspelledEtcdSettingIsNamed() {
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:postgresql://127.0.0.1:1/db")
                .property("pooled.etcd.endpoint", "http://127.0.0.1:2379").build())
                .isInstanceOf(InvalidPooledUrlException.class)
                .hasMessageContaining("pooled.etcd.endpoint is not a setting of dev.pooled:pooled-jdbc-etcd");
    }

    @Test
    void etcdSettingsWithoutEndpointsAndBadEtcdValuesAreRefusedBeforeAnyConnection() {
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:postgresql://127.0.0.1:1/db")
                .property("pooled.etcd.timeout_ms", "1000").build())
                .isInstanceOf(InvalidPooledUrlException.class)
                .hasMessageContaining("pooled.etcd.timeout_ms=1000: needs etcd.endpoints");
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:postgresql://127.0.0.1:1/db")
                .property("pooled.etcd.endpoints", "127.0.0.1:2379")
                .property("pooled.etcd.password", "never-show-this").build())
                .isInstanceOf(InvalidPooledUrlException.class)
                .hasMessageContaining("pooled.etcd.endpoints=127.0.0.1:2379")
                .hasMessageNotContaining("never-show-this");
        assertThatThrownBy(() -> PooledDataSource.builder().url("jdbc:postgresql://127.0.0.1:1/db")
                .property("pooled.etcd.endpoints", "http://127.0.0.1:2379")
                .property("pooled.instance_id", "has space").build())
                .isInstanceOf(InvalidPooledUrlException.class)
                .hasMessageContaining("pooled.instance_id=has space: must be 1 to 128 characters");
    }
}
