package dev.pooled.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/** docs/spring-boot.md documents every pooled.* property as the metadata does, and the analyzer is registered. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpringBootDocsTest {

    @Test
    void thePropertyTableMatchesTheMetadata() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("pooled.docs.dir"), "spring-boot.md"));
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = Pattern.compile("^\\| `(pooled\\.[a-z.-]+)` \\| [A-Za-z]+ \\| [^|]+ \\| (.+) \\|$", Pattern.MULTILINE)
                .matcher(doc);
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        Map<String, ConfigurationMetadataProperty> metadata = ConfigurationMetadataTest.metadata();
        metadata.forEach((name, p) -> {
            if (name.startsWith("pooled.")) {
                assertThat(rows).as("a row for %s in docs/spring-boot.md", name).containsKey(name);
                assertThat(rows.get(name)).as("description of %s", name).isEqualTo(p.getDescription());
            }
        });
        assertThat(metadata.keySet()).containsAll(rows.keySet());
    }

    @Test
    void theFailureAnalyzerIsRegistered() throws Exception {
        List<String> analyzers = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
            Properties p = new Properties();
            try (InputStream in = url.openStream()) {
                p.load(in);
            }
            String names = p.getProperty(FailureAnalyzer.class.getName());
            if (names != null) {
                analyzers.addAll(Arrays.asList(names.split("\\s*,\\s*")));
            }
        }
        assertThat(analyzers).contains(PooledFailureAnalyzer.class.getName());
    }
}
