package dev.pooled.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The starter's tests run on the versions Spring Boot's BOM manages: the version properties its pom sets for the
 * parent's managed artifacts agree with {@code spring-boot-dependencies}, and HikariCP on the test class path is that
 * version.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpringBootVersionsTest {

    @Test
    void theParentsVersionPropertiesAreAlignedToSpringBootsBom() throws Exception {
        String bom = Files.readString(Path.of(System.getProperty("pooled.boot.bom")));
        Map<String, String> ours = Map.of("hikaricp", "hikaricp", "micrometer", "micrometer", "postgresql",
                "postgresql", "mysql", "mysql", "slf4j", "slf4j", "opentelemetry", "opentelemetry");
        ours.forEach((mine, boots) -> {
            Matcher m = Pattern.compile("<" + Pattern.quote(boots) + "\\.version>([^<]+)<").matcher(bom);
            assertThat(m.find()).as("%s.version in spring-boot-dependencies", boots).isTrue();
            assertThat(System.getProperty("pooled.version." + mine)).as("%s version", mine).isEqualTo(m.group(1));
        });
    }

    @Test
    void hikariCpOnTheClassPathIsSpringBootsManagedVersion() throws Exception {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/maven/com.zaxxer/HikariCP/pom.properties")) {
            assertThat(in).isNotNull();
            p.load(in);
        }
        assertThat(p.getProperty("version")).isEqualTo(System.getProperty("pooled.version.hikaricp"));
    }
}
