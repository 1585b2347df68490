package dev.pooled.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.zaxxer.hikari.HikariDataSource;
import dev.pooled.PoolCircuitOpenException;
import dev.pooled.PoolConfig;
import dev.pooled.jdbc.PooledDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/** The auto-configuration's decisions that need no database: when it backs off, and how it rejects bad settings. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PooledAutoConfigurationTest {
    private static final String PG_POOLED = "spring.datasource.url=jdbc:pooled:postgresql://127.0.0.1:5432/test";

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(PooledDataSourceAutoConfiguration.class, DataSourceAutoConfiguration.class));

    @Test
    void aUserDataSourceWins() {
        runner.withPropertyValues(PG_POOLED).withUserConfiguration(UserDataSource.class).run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DataSource.class);
            assertThat(ctx.getBean(DataSource.class)).isInstanceOf(SimpleDriverDataSource.class);
            assertThat(ctx).doesNotHaveBean(PooledDataSource.class);
            // The factory stays, for applications that build their pools themselves.
            assertThat(ctx).hasSingleBean(PooledDataSourceFactory.class);
        });
    }

    @Test
    void aPlainUrlIsLeftToSpringBootsHikariCp() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DataSource.class);
            assertThat(ctx.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
            assertThat(ctx).doesNotHaveBean(PooledDataSource.class);
        });
    }

    @Test
    void pooledEnabledFalseBacksOffEvenForAPooledUrl() {
        // Spring Boot's pool then serves, and (told the driver class, which it cannot guess for jdbc:pooled:) goes
        // through the jdbc:pooled: driver.
        runner.withPropertyValues(PG_POOLED, "pooled.enabled=false",
                "spring.datasource.driver-class-name=dev.pooled.jdbc.PooledDriver").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
            assertThat(ctx).doesNotHaveBean(PooledDataSource.class);
        });
    }

    @Test
    void pooledEnabledFalseLeavesAPlainUrlAlone() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test", "pooled.enabled=false")
                .run(ctx -> assertThat(ctx.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class));
    }

    @Test
    void aBadPropertyFailsTheContextWithAnAnalysisNamingIt() {
        runner.withPropertyValues(PG_POOLED, "pooled.max-connections=0", "pooled.timeout=-5ms",
                "pooled.leak-threshold=10s", "pooled.leak-reclaim=3s").run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable failure = ctx.getStartupFailure();
            assertThat(failure).hasRootCauseInstanceOf(InvalidPooledPropertiesException.class);
            FailureAnalysis analysis = new PooledFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription())
                    .contains("Property: pooled.max-connections", "Value: 0", "Allowed: must be a whole number from 1 to 10000")
                    .contains("Property: pooled.timeout", "Value: -5ms", "from 1 to 3600000")
                    .contains("Property: pooled.leak-reclaim", "Value: 3000ms", "at least pooled.leak-threshold)")
                    .doesNotContain("max_connections", "leak_threshold_ms");
            assertThat(analysis.getAction()).contains("docs/spring-boot.md");
        });
    }

    @Test
    void aBadEnumValueIsReportedBySpringBootsBinderWithTheAllowedValues() {
        runner.withPropertyValues(PG_POOLED, "pooled.mode=statement").run(ctx -> {
            assertThat(ctx).hasFailed();
            BindException bind = null;
            for (Throwable t = ctx.getStartupFailure(); t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    bind = (BindException) t;
                }
            }
            assertThat(bind).as("a BindException in the cause chain").isNotNull();
            assertThat(bind.getProperty().getName().toString()).isEqualTo("pooled.mode");
            assertThat(bind.getProperty().getValue()).isEqualTo("statement");
        });
    }

    @Test
    void aDatabaseThatDoesNotAnswerStillStartsTheContextAndFailsCallersFastWithoutAPassword() {
        // A database that cannot be reached is an outage, not a configuration error: the pool starts with its
        // breaker open and reconnects in the background, so the application starts and its callers fail fast.
        runner.withPropertyValues("spring.datasource.url=jdbc:pooled:postgresql://127.0.0.1:1/test",
                "spring.datasource.username=app", "spring.datasource.password=s3cret-h6").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            DataSource ds = ctx.getBean(DataSource.class);
            assertThat(ds).isInstanceOf(PooledDataSource.class);
            Throwable failure = catchThrowable(() -> ds.getConnection().close());
            assertThat(failure).isInstanceOf(PoolCircuitOpenException.class);
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain("s3cret");
            }
        });
    }

    @Test
    void aBadDbRoleDefaultedFromTheUserNameSaysWhereItCameFrom() {
        runner.withPropertyValues(PG_POOLED, "spring.datasource.username=we ird").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(new PooledFailureAnalyzer().analyze(ctx.getStartupFailure()).getDescription())
                    .contains("pooled.db-role (defaults to spring.datasource.username)", "Value: we ird");
        });
    }

    @Test
    void everyPropertyReachesTheLibrarysSettingByItsExternalName() {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("pooled.service", "orders");
        source.put("pooled.db-role", "app");
        source.put("pooled.max-connections", "7");
        source.put("pooled.max-queue", "11");
        source.put("pooled.timeout", "1500ms");
        source.put("pooled.priority", "3");
        source.put("pooled.mode", "transaction");
        source.put("pooled.pin-policy", "reject");
        if (PoolConfig.KEYS.contains("reset")) {
            source.put("pooled.reset", "minimal");
        }
        source.put("pooled.min-idle", "1");
        source.put("pooled.max-lifetime", "10m");
        source.put("pooled.leak-threshold", "5s");
        source.put("pooled.leak-reclaim", "6000");
        source.put("pooled.track-transactions", "true");
        source.put("pooled.sizing", "fixed");
        source.put("pooled.throttling", "off");
        source.put("pooled.budget", "shared");
        source.put("pooled.budget-max", "9");
        source.put("pooled.max-acquire-rate", "100");
        source.put("pooled.breaker-failure-rate", "20");
        source.put("pooled.breaker-open", "2s");
        PooledProperties p = new Binder(new MapConfigurationPropertySource(source))
                .bind(PooledProperties.PREFIX, PooledProperties.class).get();

        assertThat(p.settings().keySet()).containsExactlyElementsOf(PoolConfig.KEYS);
        PoolConfig.Builder b = PoolConfig.builder();
        p.settings().forEach(b::set);
        PoolConfig c = b.build();
        assertThat(c.asMap()).containsEntry("service", "orders").containsEntry("db_role", "app")
                .containsEntry("max_connections", "7").containsEntry("max_queue", "11")
                .containsEntry("timeout_ms", "1500").containsEntry("priority", "3").containsEntry("mode", "transaction")
                .containsEntry("pin_policy", "reject").containsEntry("min_idle", "1")
                .containsEntry("max_lifetime_ms", "600000").containsEntry("leak_threshold_ms", "5000")
                .containsEntry("leak_reclaim_ms", "6000").containsEntry("track_transactions", "true")
                .containsEntry("sizing", "fixed").containsEntry("throttling", "off").containsEntry("budget", "shared")
                .containsEntry("budget_max", "9").containsEntry("max_acquire_rate", "100")
                .containsEntry("breaker_failure_rate", "20").containsEntry("breaker_open_ms", "2000");
        if (PoolConfig.KEYS.contains("reset")) {
            assertThat(c.asMap()).containsEntry("reset", "minimal");
        }
        for (String key : PoolConfig.KEYS) {
            assertThat(source).as("a test value for %s", key).containsKey(PooledProperties.propertyName(key));
        }
    }

    @Test
    void etcdPropertiesBecomeTheEtcdModulesSettings() {
        Map<String, String> source = new LinkedHashMap<>();
        source.put("pooled.instance-id", "i-1");
        source.put("pooled.etcd.endpoints", "http://127.0.0.1:2379,http://127.0.0.2:2379");
        source.put("pooled.etcd.namespace", "/team-a");
        source.put("pooled.etcd.ca-file", "/ca.pem");
        source.put("pooled.etcd.cert-file", "/c.pem");
        source.put("pooled.etcd.key-file", "/k.pem");
        source.put("pooled.etcd.user", "u");
        source.put("pooled.etcd.password-ref", "env:ETCD_PW");
        source.put("pooled.etcd.timeout", "2s");
        source.put("pooled.etcd.lease-ttl", "15");
        source.put("pooled.etcd.allow-plaintext-password", "true");
        PooledProperties p = new Binder(new MapConfigurationPropertySource(source))
                .bind(PooledProperties.PREFIX, PooledProperties.class).get();
        assertThat(p.settings()).containsEntry("instance_id", "i-1")
                .containsEntry("etcd.endpoints", "http://127.0.0.1:2379,http://127.0.0.2:2379")
                .containsEntry("etcd.namespace", "/team-a").containsEntry("etcd.ca_file", "/ca.pem")
                .containsEntry("etcd.cert_file", "/c.pem").containsEntry("etcd.key_file", "/k.pem")
                .containsEntry("etcd.user", "u").containsEntry("etcd.password_ref", "env:ETCD_PW")
                .containsEntry("etcd.timeout_ms", "2000").containsEntry("etcd.lease_ttl_s", "15")
                .containsEntry("etcd.allow_plaintext_password", "true").hasSize(source.size());
        for (String key : p.settings().keySet()) {
            assertThat(source).containsKey(PooledProperties.propertyName(key));
        }
    }

    @Test
    void etcdPropertiesWithoutTheEtcdModuleFailNamingTheModuleAndNeverThePassword() {
        assumeFalse(EtcdModule.PRESENT, "pooled-jdbc-etcd is on the class path");
        runner.withPropertyValues(PG_POOLED, "pooled.etcd.endpoints=http://127.0.0.1:2379",
                "pooled.etcd.password=etcd-s3cret-h6").run(ctx -> {
            assertThat(ctx).hasFailed();
            FailureAnalysis analysis = new PooledFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(analysis.getDescription()).contains("Property: pooled.etcd.endpoints", "Property: pooled.etcd.password")
                    .contains("needs dev.pooled:pooled-jdbc-etcd on the class path").doesNotContain("etcd-s3cret-h6");
        });
    }

    @Test
    void aBadUrlParameterIsAlsoNamedAsASpringProperty() {
        runner.withPropertyValues(PG_POOLED + "?pooled.max_connections=0").run(ctx -> {
            assertThat(ctx).hasFailed();
            FailureAnalysis analysis = new PooledFailureAnalyzer().analyze(ctx.getStartupFailure());
            assertThat(analysis.getDescription()).contains("pooled.max_connections=0")
                    .contains("As Spring properties: pooled.max-connections");
        });
    }

    @Test
    void unsetPropertiesLeaveTheLibrarysDefaults() {
        assertThat(new PooledProperties().settings()).isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserDataSource {
        @Bean
        DataSource userDataSource() {
            return new SimpleDriverDataSource();
        }
    }
}
