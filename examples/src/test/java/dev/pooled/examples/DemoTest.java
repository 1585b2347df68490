package dev.pooled.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the whole demo on the embedded H2 with short phases and reads back what the report holds. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoTest {
    private static final List<String> POOLS = List.of("orders", "checkout", "search", "reports");
    private static final List<String> SERIES = List.of("t", "phase", "limit", "active", "size", "targetSize",
            "offeredLoad", "arrivalRate", "queueDepth", "waitP50Ms", "waitP99Ms", "waitMaxMs", "offeredPerSec",
            "servedPerSec", "dbErrorsPerSec", "rejectP99Micros", "budgetShare", "breaker");

    @TempDir
    Path dir;

    @Test
    void runsEveryPhaseAndTheReportHoldsTheChartsData() throws Exception {
        Path report = dir.resolve("report.html");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Demo.run(new Demo.Options(null, 10_000, 2.5, report, true, "transaction"),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        for (int p = 0; p < Demo.PHASES.size(); p++) {
            assertThat(out).contains("==> Phase " + (p + 1) + "/" + Demo.PHASES.size() + ": "
                    + Demo.PHASES.get(p).title());
        }
        assertThat(out).contains("limit ").contains("queue ").contains("wait p99").contains("breaker ");

        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(html).doesNotContain("http://cdn").doesNotContain("<script src");
        assertThat(count(html, "<svg ")).isGreaterThanOrEqualTo(6);
        assertThat(html).contains("Summary by phase");
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"pooled-demo-data\">\\s*(.*?)\\s*</script>",
                Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("embedded data").isTrue();
        String json = m.group(1);

        for (int p = 0; p < Demo.PHASES.size(); p++) {
            assertThat(json).contains("{\"key\":\"" + Demo.PHASES.get(p).key() + "\"");
        }
        int n = -1;
        for (String pool : POOLS) {
            for (String s : SERIES) {
                double[] v = series(json, pool, s);
                if (n < 0) {
                    n = v.length;
                }
                assertThat(v).as(pool + "." + s).hasSize(n);
            }
            for (String reason : List.of("queue_full", "timeout", "overloaded", "circuit_open")) {
                assertThat(series(json, pool, reason)).as(pool + " rejected " + reason).hasSize(n);
            }
        }
        // At 200 ms a sample, six phases of 2.5 s give about 75 samples; a loaded machine may sleep late.
        assertThat(n).isBetween(30, 200);

        double[] phase = series(json, "orders", "phase");
        double[] queue = series(json, "orders", "queueDepth");
        double[] breaker = series(json, "orders", "breaker");
        double[] served = series(json, "orders", "servedPerSec");
        double[] queueFull = series(json, "orders", "queue_full");
        double[] overloaded = series(json, "orders", "overloaded");
        // Burst (phase 1): callers queue and some are turned away at once.
        assertThat(max(queue, phase, 1)).isGreaterThan(0);
        assertThat(max(queueFull, phase, 1) + max(overloaded, phase, 1)).isGreaterThan(0);
        // Slow database (phase 2): the throttle lowers the limit below max_connections. Today it reads connection
        // hold times; in transaction mode (the demo's default) a physical connection is held for one statement, so
        // hold time = statement latency, which is also what a database-latency throttle reads.
        assertThat(min(series(json, "orders", "limit"), phase, 2)).isLessThan(Demo.MAX_CONNECTIONS);
        // Outage (phase 3): the breaker opens (2 = open).
        assertThat(max(breaker, phase, 3)).isEqualTo(2);
        // Nominal load is served.
        assertThat(max(served, phase, 0)).isGreaterThan(0);
        // Recovery or later: the breaker is closed again and requests are served.
        assertThat(min(breaker, phase, 4, 5)).isEqualTo(0);
        assertThat(max(served, phase, 4)).isGreaterThan(0);
        // Budget (phase 5): the priority-9 pool gets at least the priority-1 pool's share, and the shares fit it.
        double[] checkout = series(json, "checkout", "budgetShare");
        double[] reports = series(json, "reports", "budgetShare");
        double[] search = series(json, "search", "budgetShare");
        assertThat(max(checkout, phase, 5)).isGreaterThanOrEqualTo(max(reports, phase, 5));
        for (int i = 0; i < n; i++) {
            assertThat(checkout[i] + search[i] + reports[i]).isLessThanOrEqualTo(Demo.BUDGET_MAX);
        }
        assertThat(json).contains("\"summary\":[{\"phase\":\"nominal\",\"pool\":\"orders\"");
    }

    @Test
    void aBadUrlIsAClearError() {
        assertThatThrownBy(() -> DemoDatabase.open("postgresql://127.0.0.1/test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with 'jdbc:pooled:'");
        assertThatThrownBy(() -> DemoDatabase.open("jdbc:postgresql://127.0.0.1/test?user=u&password=secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("insert 'pooled:' after 'jdbc:'").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> DemoDatabase.open("jdbc:pooled:oracle:thin:@127.0.0.1:1521/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown or unsupported database "
                        + "'oracle'");
        assertThatThrownBy(() -> Demo.parse(new String[] {"--latency-ms", "0"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed: 1.0 to 1000.0");
        assertThatThrownBy(() -> Demo.parse(new String[] {"--url"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--url needs a value");
        assertThatThrownBy(() -> Demo.parse(new String[] {"--mode", "statement"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowed are transaction, session");
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** The numbers of array {@code name} in pool {@code pool}'s part of the report's data. */
    private static double[] series(String json, String pool, String name) {
        int start = json.indexOf("\"" + pool + "\":{\"priority\"");
        assertThat(start).as("pool " + pool + " in the data").isGreaterThanOrEqualTo(0);
        int at = json.indexOf("\"" + name + "\":[", start);
        assertThat(at).as(pool + "." + name + " in the data").isGreaterThan(start);
        int open = json.indexOf('[', at);
        String body = json.substring(open + 1, json.indexOf(']', open));
        return body.isBlank() ? new double[0] : Arrays.stream(body.split(",")).mapToDouble(Double::parseDouble)
                .toArray();
    }

    private static double max(double[] v, double[] phase, int... phases) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            if (in(phase[i], phases)) {
                m = Math.max(m, v[i]);
            }
        }
        return m;
    }

    private static double min(double[] v, double[] phase, int... phases) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            if (in(phase[i], phases)) {
                m = Math.min(m, v[i]);
            }
        }
        return m;
    }

    private static boolean in(double p, int[] phases) {
        for (int q : phases) {
            if (p == q) {
                return true;
            }
        }
        return false;
    }
}
