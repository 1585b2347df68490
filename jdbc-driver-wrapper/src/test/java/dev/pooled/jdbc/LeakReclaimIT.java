package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pooled.Instrumentation;
import dev.pooled.metrics.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §4, the leak guard on a real PostgreSQL: a leaked connection whose physical connection HikariCP retired
 * after a class-08 error is still reclaimed (its permit comes back), and a reclaimed lease's transaction span ends.
 */
@Timeout(120)
class LeakReclaimIT {

    private static PooledDataSource start(String app, Instrumentation instrumentation, String... settings)
            throws SQLException {
        PooledDataSource.Builder b = PooledDataSource.builder().url(Servers.PG + "?ApplicationName=" + app)
                .user("postgres").set("service", app).set("max_connections", "1").set("sizing", "fixed")
                .set("timeout_ms", "1000").set("leak_reclaim_ms", "2000").set("breaker_failure_rate", "0")
                .instrumentation(instrumentation);
        for (int i = 0; i < settings.length; i += 2) {
            b.set(settings[i], settings[i + 1]);
        }
        return b.build();
    }

    @Test
    void aLeakWhosePhysicalConnectionDiedIsStillReclaimed() throws Exception {
        String app = Servers.tag("lk08");
        try (PooledDataSource ds = start(app, Instrumentation.builder().meterRegistry(new SimpleMeterRegistry())
                .jmx(false).build())) {
            Connection leaked = ds.getConnection();
            long pid = Servers.queryLong(leaked, "select pg_backend_pid()");
            try (Connection admin = Servers.pgAdmin();
                    PreparedStatement ps = admin.prepareStatement("select pg_terminate_backend(?::int)")) {
                ps.setInt(1, (int) pid);
                ps.execute();
            }
            // The next statement fails with a class-08 state: HikariCP retires the connection and its proxy says
            // closed, but the caller never closes it: the permit is still out, a leak.
            assertThatThrownBy(() -> Servers.queryLong(leaked, "select 1")).isInstanceOf(SQLException.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> ds.stats().leaksReclaimed() == 1);
            try (Connection c = ds.getConnection()) {
                assertThat(Servers.queryLong(c, "select 1")).as("the permit came back").isEqualTo(1);
            }
        }
    }

    @Test
    void aReclaimedLeaseEndsItsTransactionSpan() throws Exception {
        String app = Servers.tag("lkspan");
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        try (PooledDataSource ds = start(app, Instrumentation.builder().meterRegistry(new SimpleMeterRegistry())
                .tracer(provider.get("test")).jmx(false).build(), "track_transactions", "true")) {
            Connection leaked = ds.getConnection();
            leaked.setAutoCommit(false);
            try (Statement st = leaked.createStatement()) {
                st.execute("select 1");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> ds.stats().leaksReclaimed() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getName().equals(MetricNames.SPAN_TRANSACTION)));
            SpanData tx = exporter.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals(MetricNames.SPAN_TRANSACTION)).findFirst().orElseThrow();
            assertThat(tx.getAttributes().get(AttributeKey.stringKey(MetricNames.ATTR_TX_END))).isEqualTo("rollback");
        } finally {
            provider.close();
        }
    }
}
