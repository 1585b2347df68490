package dev.pooled.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pooled.jdbc.PooledDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * pooled.etcd.* reach pooled-jdbc-etcd: the pool starts on its etcd record (on the etcd that scripts/test.sh starts)
 * and follows it live, on the Netty and gRPC versions Spring Boot's BOM picks. Skipped while pooled-jdbc-etcd has no
 * settings classes (before the etcd-config work is merged).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PooledEtcdIT {

    @BeforeAll
    static void etcdModulePresent() {
        assumeTrue(EtcdModule.PRESENT, "pooled-jdbc-etcd's settings are not on the class path");
    }

    private static final String ETCD = "http://127.0.0.1:2379";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static long put(String key, String value) throws Exception {
        Base64.Encoder b64 = Base64.getEncoder();
        String body = "{\"key\":\"" + b64.encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\""
                + b64.encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\"}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ETCD + "/v3/kv/put"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Matcher m = Pattern.compile("\"revision\":\"(\\d+)\"").matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void thePoolStartsOnItsEtcdRecordAndFollowsIt() throws Exception {
        String app = Pg.tag("h6_etcd");
        String ns = "/" + app;
        String key = ns + "/pooled/v1/config/" + app + "/postgres";
        long rev = put(key, "{\"max_connections\": 6, \"max_queue\": 40}");
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PooledDataSourceAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                        PooledHealthContributorAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + Pg.pooledUrl(app), "spring.datasource.username=postgres",
                        "pooled.service=" + app, "pooled.etcd.endpoints=" + ETCD, "pooled.etcd.namespace=" + ns,
                        "pooled.etcd.timeout=3s")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    PooledDataSource ds = ctx.getBean(PooledDataSource.class);
                    assertThat(ds.stats().maxConnections()).isEqualTo(6);
                    assertThat(ds.stats().maxQueue()).isEqualTo(40);
                    HealthIndicator indicator = (HealthIndicator) ctx.getBean("pooledHealthContributor",
                            CompositeHealthContributor.class).getContributor("dataSource");
                    assertThat(indicator.health().getDetails()).containsEntry("configVersion", rev);
                    long rev2 = put(key, "{\"max_connections\": 6, \"max_queue\": 55}");
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        assertThat(ds.stats().maxQueue()).isEqualTo(55);
                        assertThat(indicator.health().getDetails()).containsEntry("configVersion", rev2);
                    });
                });
    }
}
