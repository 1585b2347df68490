package dev.pooled.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooled.PoolConfig;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;

/** The metadata IDEs read ships with the starter and documents every setting of the library. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigurationMetadataTest {

    static Map<String, ConfigurationMetadataProperty> metadata() throws Exception {
        try (InputStream in = PooledProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
            ConfigurationMetadataRepository repo = ConfigurationMetadataRepositoryJsonBuilder.create(in).build();
            return repo.getAllProperties();
        }
    }

    @Test
    void everyLibrarySettingIsAPropertyWithADescription() throws Exception {
        Map<String, ConfigurationMetadataProperty> all = metadata();
        for (String key : PoolConfig.KEYS) {
            String name = PooledProperties.propertyName(key);
            assertThat(all).as("metadata for %s (setting %s)", name, key).containsKey(name);
            ConfigurationMetadataProperty p = all.get(name);
            assertThat(p.getDescription()).as("description of %s", name).isNotBlank();
            if (key.endsWith("_ms")) {
                assertThat(p.getType()).as("type of %s", name).isEqualTo(Duration.class.getName());
            }
        }
        assertThat(all).containsKey("pooled.enabled");
        // pooled-jdbc-etcd's settings (its EtcdSettings.KEYS and InstanceId.KEY).
        for (String key : List.of("etcd.endpoints", "etcd.namespace", "etcd.ca_file", "etcd.cert_file", "etcd.key_file",
                "etcd.user", "etcd.password", "etcd.password_ref", "etcd.timeout_ms", "etcd.lease_ttl_s",
                "etcd.allow_plaintext_password", "instance_id")) {
            assertThat(all).as("metadata for %s", key).containsKey(PooledProperties.propertyName(key));
        }
    }

    @Test
    void theEndpointAndHealthSwitchesAreDocumented() throws Exception {
        assertThat(metadata()).containsKeys("management.endpoint.pooled.access", "management.health.pooled.enabled");
    }
}
