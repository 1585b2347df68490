package dev.pooled.spring.boot.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooled.PoolingMode;
import dev.pooled.jdbc.PooledDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole Spring Boot application on the starter, over real HTTP, against the real PostgreSQL (primary,
 * auto-configured, transaction mode here) and MariaDB (a second pool from the factory bean).
 * {@link PooledApplicationSessionModeIT} runs the same tests in session mode.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:pooled:postgresql://127.0.0.1:5432/test?ApplicationName=h6-boot-app",
        "spring.datasource.username=postgres",
        // The server trusts loopback, so any password works: one that must never be shown anywhere.
        "spring.datasource.password=" + PooledApplicationIT.SECRET,
        "pooled.service=h6app", "pooled.mode=transaction", "pooled.max-connections=4",
        "spring.jpa.hibernate.ddl-auto=create-drop", "spring.jpa.open-in-view=false",
        "management.endpoints.web.exposure.include=health,pooled,prometheus,env,configprops",
        "management.endpoint.health.show-details=always", "management.metrics.tags.deployment=h6-it",
        "management.metrics.use-global-registry=false" })
// Closed after the class: the session-mode subclass uses the same table, and closing is part of what is tested.
@DirtiesContext
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PooledApplicationIT {
    static final String SECRET = "h6-Secret-never-shown";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;
    @Autowired
    DataSource dataSource;
    @Autowired
    @Qualifier("reporting")
    PooledDataSource reporting;
    @Autowired
    @Qualifier("reporting")
    JdbcTemplate reportingJdbc;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    ItemRepository items;
    @Autowired
    TxService tx;

    PoolingMode expectedMode() {
        return PoolingMode.TRANSACTION;
    }

    @Test
    void thePrimaryDataSourceIsPooledFromTheProperties() {
        assertThat(dataSource).isInstanceOf(PooledDataSource.class);
        PooledDataSource ds = (PooledDataSource) dataSource;
        assertThat(ds.pool().config().mode()).isEqualTo(expectedMode());
        assertThat(ds.pool().config().maxConnections()).isEqualTo(4);
        assertThat(jdbc.queryForObject("select current_setting('application_name')", String.class))
                .isEqualTo("h6-boot-app");
        assertThat(reportingJdbc.queryForObject("select 6 * 7", Integer.class)).isEqualTo(42);
    }

    @Test
    void aSpringDataJpaRepositoryWorks() {
        String name = "item-" + UUID.randomUUID();
        Item saved = items.save(new Item(name));
        assertThat(items.findById(saved.getId())).get().extracting(Item::getName).isEqualTo(name);
        assertThat(items.findByName(name)).hasSize(1);
    }

    @Test
    void aTransactionalMethodRollsBackJpaAndJdbcTogether() {
        String name = "rollback-" + UUID.randomUUID();
        assertThatThrownBy(() -> tx.saveThenFail(name)).isInstanceOf(IllegalStateException.class);
        assertThat(items.findByName(name)).isEmpty();
        assertThat(jdbc.queryForObject("select count(*) from h6_boot_item where name = ?", Integer.class, name))
                .isZero();
    }

    @Test
    void oneTransactionalMethodRunsOnOnePhysicalConnectionWithItsReadOnlyAndIsolation() {
        List<String> ro = tx.observeReadOnlySerializable();
        assertThat(ro.get(1)).as("same backend for every statement").isEqualTo(ro.get(0)).isEqualTo(ro.get(4));
        assertThat(ro.get(2)).isEqualTo("serializable");
        assertThat(ro.get(3)).isEqualTo("on");
        List<String> rw = tx.observeReadWrite();
        assertThat(rw.get(1)).isEqualTo(rw.get(0)).isEqualTo(rw.get(4));
        assertThat(rw.get(2)).isEqualTo("read committed");
        assertThat(rw.get(3)).as("read-only does not leak into the next transaction").isEqualTo("off");
    }

    @Test
    void aDataSourceTransactionManagerOnTheSecondPoolRollsBack() {
        String table = "h6_report_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        reportingJdbc.execute("create table " + table + " (name varchar(64)) engine=InnoDB");
        try {
            assertThatThrownBy(() -> tx.reportThenFail(table, "x")).isInstanceOf(IllegalStateException.class);
            assertThat(reportingJdbc.queryForObject("select count(*) from " + table, Integer.class)).isZero();
        } finally {
            reportingJdbc.execute("drop table " + table);
        }
    }

    @Test
    void healthShowsEachPoolWithItsDetails() throws Exception {
        JsonNode pooled = json(get("/actuator/health/pooled", 200)).get("components");
        JsonNode primary = pooled.get("dataSource");
        assertThat(primary.get("status").asString()).isEqualTo("UP");
        JsonNode d = primary.get("details");
        assertThat(d.get("pool").asString()).startsWith("h6app/postgres");
        assertThat(d.get("mode").asString()).isEqualTo(expectedMode().externalName());
        for (String key : List.of("limit", "inUse", "queueDepth", "breaker", "budgetShare", "configVersion",
                "maxConnections")) {
            assertThat(d.has(key)).as("health detail %s", key).isTrue();
        }
        assertThat(pooled.get("reportingDataSource").get("details").get("service").asString()).isEqualTo("h6reporting");
        assertThat(get("/actuator/health", 200)).doesNotContain(SECRET);
    }

    @Test
    void theEndpointListsPoolsAndPausesAndResumesOne() throws Exception {
        JsonNode pools = json(get("/actuator/pooled", 200)).get("pools");
        assertThat(pools.has("dataSource")).isTrue();
        assertThat(pools.has("reportingDataSource")).isTrue();
        assertThat(pools.get("dataSource").get("config").get("max-connections").asString()).isEqualTo("4");
        assertThat(pools.get("dataSource").get("acquired").asLong()).isPositive();

        JsonNode paused = json(post("/actuator/pooled/reportingDataSource", "{\"action\":\"pause\"}", 200));
        assertThat(paused.get("paused").asBoolean()).isTrue();
        assertThat(reporting.stats().paused()).isTrue();
        JsonNode health = json(get("/actuator/health/pooled/reportingDataSource", 503));
        assertThat(health.get("status").asString()).isEqualTo("OUT_OF_SERVICE");

        JsonNode resumed = json(post("/actuator/pooled/reportingDataSource", "{\"action\":\"resume\"}", 200));
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(json(get("/actuator/health/pooled/reportingDataSource", 200)).get("status").asString())
                .isEqualTo("UP");
        json(post("/actuator/pooled/dataSource", "{\"action\":\"soft-evict\"}", 200));
        post("/actuator/pooled/dataSource", "{\"action\":\"explode\"}", 400);
        get("/actuator/pooled/noSuchPool", 404);
        assertThat(reportingJdbc.queryForObject("select 1", Integer.class)).isEqualTo(1);
    }

    @Test
    void prometheusShowsEachPoolsMetersOnceTaggedAndNoPassword() throws Exception {
        jdbc.queryForObject("select 1", Integer.class);
        String scrape = get("/actuator/prometheus", 200);
        assertThat(scrape).doesNotContain(SECRET);
        assertThat(count(scrape, "^db_client_connection_max\\{.*service=\"h6app\".*")).isEqualTo(1);
        assertThat(count(scrape, "^db_client_connection_max\\{.*service=\"h6reporting\".*")).isEqualTo(1);
        assertThat(count(scrape, "^db_client_connection_max\\{.*deployment=\"h6-it\".*")).isEqualTo(2);
        assertThat(count(scrape, "^pooled_limit\\{.*service=\"h6app\".*")).isEqualTo(1);
        assertThat(count(scrape, "^(hikaricp|jdbc_connections)_.*")).as("no second description of the pools").isZero();
        for (String page : List.of("/actuator/pooled", "/actuator/env", "/actuator/configprops")) {
            assertThat(get(page, 200)).as(page).doesNotContain(SECRET);
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private String get(String path, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(status);
        return r.body();
    }

    private String post(String path, String body, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(status);
        return r.body();
    }

    private static JsonNode json(String body) {
        return JSON.readTree(body);
    }
}
