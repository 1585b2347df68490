package dev.pooled.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pooled.PoolingMode;
import dev.pooled.jdbc.PooledDataSource;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/** The auto-configuration against the real PostgreSQL, with Spring Boot's metrics and health beside it. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PooledAutoConfigurationIT {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PooledDataSourceAutoConfiguration.class,
                    DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                    MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, DataSourcePoolMetricsAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class, DataSourceHealthContributorAutoConfiguration.class,
                    PooledHealthContributorAutoConfiguration.class))
            .withPropertyValues("spring.datasource.username=postgres", "management.metrics.use-global-registry=false",
                    "management.metrics.tags.region=h6-test");

    @Test
    void aPooledUrlGivesAPooledDataSourceWithTheProperties() {
        String app = Pg.tag("h6_props");
        runner.withPropertyValues("spring.datasource.url=" + Pg.pooledUrl(app), "pooled.service=" + app,
                "pooled.max-connections=3", "pooled.max-queue=17", "pooled.timeout=2s", "pooled.priority=7",
                "pooled.mode=transaction", "pooled.sizing=fixed", "pooled.breaker-open=1500ms").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(DataSource.class);
            PooledDataSource ds = ctx.getBean(PooledDataSource.class);
            assertThat(ds.pool().config().service()).isEqualTo(app);
            assertThat(ds.pool().config().dbRole()).isEqualTo("postgres");
            assertThat(ds.pool().config().maxConnections()).isEqualTo(3);
            assertThat(ds.pool().config().timeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(ds.pool().config().priority()).isEqualTo(7);
            assertThat(ds.pool().config().mode()).isEqualTo(PoolingMode.TRANSACTION);
            assertThat(ds.pool().config().breakerOpen()).isEqualTo(Duration.ofMillis(1500));
            assertThat(ds.stats().maxConnections()).isEqualTo(3);
            assertThat(ds.stats().maxQueue()).isEqualTo(17);
            assertThat(ds.pool().mbeanName()).as("no MBean unless spring.jmx.enabled").isNull();
            assertThat(ctx.getBean(JdbcTemplate.class).queryForObject("select 41 + 1", Integer.class)).isEqualTo(42);
            await().atMost(Duration.ofSeconds(30)).until(() -> Pg.sessions(app) == 3);
            assertMetersOnceInTheApplicationsRegistry(ctx, app);
        });
    }

    private static void assertMetersOnceInTheApplicationsRegistry(AssertableApplicationContext ctx, String service) {
        MeterRegistry registry = ctx.getBean(MeterRegistry.class);
        assertThat(registry.find("db.client.connection.max").tag("service", service).meters()).hasSize(1);
        Meter max = registry.find("db.client.connection.max").tag("service", service).meter();
        assertThat(max.getId().getTag("region")).as("Spring Boot's common tags").isEqualTo("h6-test");
        assertThat(registry.get("db.client.connection.max").tag("service", service).gauge().value()).isEqualTo(3.0);
        // Spring Boot's own DataSource pool metrics must not describe the same pool a second time.
        assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("hikaricp")
                || m.getId().getName().startsWith("jdbc.connections"));
        assertThat(Metrics.globalRegistry.find("db.client.connection.max").tag("service", service).meters())
                .as("nothing in Micrometer's global registry").isEmpty();
    }

    @Test
    void pooledEnabledTruePoolsAPlainUrl() {
        String app = Pg.tag("h6_plain");
        runner.withPropertyValues("spring.datasource.url=" + Pg.PG + "?ApplicationName=" + app, "pooled.enabled=true",
                "pooled.service=" + app, "spring.jmx.enabled=true").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(DataSource.class)).isInstanceOf(PooledDataSource.class);
            assertThat(ctx.getBean(PooledDataSource.class).pool().mbeanName()).isNotNull();
            assertThat(ctx.getBean(JdbcTemplate.class).queryForObject("select current_setting('application_name')",
                    String.class)).isEqualTo(app);
        });
    }

    @Test
    void aServiceConnectionWinsOverTheProperties() {
        String app = Pg.tag("h6_details");
        runner.withPropertyValues("pooled.enabled=true", "pooled.service=" + app,
                "spring.datasource.url=jdbc:pooled:postgresql://127.0.0.1:1/not-this-one")
                .withBean(JdbcConnectionDetails.class, () -> new JdbcConnectionDetails() {
                    @Override
                    public String getUsername() {
                        return "postgres";
                    }

                    @Override
                    public String getPassword() {
                        return null;
                    }

                    @Override
                    public String getJdbcUrl() {
                        return Pg.PG + "?ApplicationName=" + app;
                    }
                }).run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    assertThat(ctx.getBean(JdbcTemplate.class).queryForObject(
                            "select current_setting('application_name')", String.class)).isEqualTo(app);
                });
    }

    @Test
    void healthIsUpOutOfServiceWhilePausedAndDownWhenTheDatabaseRefusesConnections() throws Exception {
        String app = Pg.tag("h6_health");
        String role = app.toLowerCase();
        Pg.exec("create role " + role + " login");
        try {
            runner.withPropertyValues("spring.datasource.url=" + Pg.pooledUrl(app), "spring.datasource.username=" + role,
                    "spring.datasource.password=not-shown-h6", "pooled.service=" + app, "pooled.timeout=1s",
                    "pooled.max-connections=2").run(ctx -> {
                PooledDataSource ds = ctx.getBean(PooledDataSource.class);
                HealthIndicator indicator = (HealthIndicator) ctx.getBean("pooledHealthContributor",
                        CompositeHealthContributor.class).getContributor("dataSource");
                Health up = indicator.health();
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                assertThat(up.getDetails()).containsEntry("pool", app + "/" + role).containsEntry("limit", 2)
                        .containsEntry("inUse", 0).containsEntry("queueDepth", 0).containsEntry("breaker", "closed")
                        .containsEntry("budgetShare", -1).containsKey("maxConnections");
                assertThat(up.getDetails().toString()).doesNotContain("not-shown-h6").doesNotContain("jdbc:");
                assertThat(up.getDetails()).containsEntry("configVersion", 0L);
                ds.pool().reconfigure(ds.pool().config().toBuilder().maxQueue(33).build(), 7L);
                assertThat(indicator.health().getDetails()).containsEntry("configVersion", 7L)
                        .containsEntry("maxQueue", 33);

                ds.pool().pause();
                assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                ds.pool().resume();
                assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

                Pg.exec("alter role " + role + " nologin");
                Pg.exec("select pg_terminate_backend(pid) from pg_stat_activity where application_name = '" + app + "'");
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Health down = indicator.health();
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat((String) down.getDetails().get("reason")).isIn("cannot connect", "circuit breaker open");
                    assertThat(down.getDetails().toString()).doesNotContain("not-shown-h6");
                });
            });
        } finally {
            Pg.exec("select pg_terminate_backend(pid) from pg_stat_activity where usename = '" + role + "'");
            Pg.exec("drop role if exists " + role);
        }
    }

    @Test
    void closingTheContextLetsAnInFlightQueryFinish() {
        String app = Pg.tag("h6_drain");
        runner.withPropertyValues("spring.datasource.url=" + Pg.pooledUrl(app), "pooled.service=" + app,
                "spring.lifecycle.timeout-per-shutdown-phase=20s").run(ctx -> {
            PooledDataSource ds = ctx.getBean(PooledDataSource.class);
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            CompletableFuture<Integer> inFlight = CompletableFuture.supplyAsync(
                    () -> jdbc.queryForObject("select 7 from pg_sleep(1.5)", Integer.class));
            await().atMost(Duration.ofSeconds(30)).until(() -> ds.pool().active() == 1);
            ctx.close();
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(ds.isClosed()).isTrue();
        });
    }

    @Test
    void closingTheContextAbortsWhatIsStillBorrowedOnceTheShutdownPhaseTimeoutIsUp() {
        String app = Pg.tag("h6_abort");
        runner.withPropertyValues("spring.datasource.url=" + Pg.pooledUrl(app), "pooled.service=" + app,
                "spring.lifecycle.timeout-per-shutdown-phase=1s").run(ctx -> {
            PooledDataSource ds = ctx.getBean(PooledDataSource.class);
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            CompletableFuture<Integer> stuck = CompletableFuture.supplyAsync(
                    () -> jdbc.queryForObject("select 7 from pg_sleep(20)", Integer.class));
            await().atMost(Duration.ofSeconds(30)).until(() -> ds.pool().active() == 1);
            long start = System.nanoTime();
            ctx.close();
            // The library's own drain default is 10 s; Spring Boot's phase timeout (1 s here) decides.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            assertThat(ds.isClosed()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(stuck::isDone);
            assertThat(stuck).isCompletedExceptionally();
        });
    }
}
