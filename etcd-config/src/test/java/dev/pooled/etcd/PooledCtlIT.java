package dev.pooled.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooled.etcd.internal.Json;
import dev.pooled.etcd.internal.InstanceRegistration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** pooledctl round-trips every command against real etcd and refuses bad input with a clear message. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PooledCtlIT {
    private String ns;
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() throws Exception {
            return (Map<String, Object>) Json.parse(out);
        }
    }

    private Result ctlIn(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--endpoints", EtcdTesting.ENDPOINT, "--namespace", ns));
        all.addAll(List.of(args));
        int code = new PooledCtl(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of())
                .run(all.toArray(new String[0]));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result ctl(String... args) {
        return ctlIn("", args);
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @BeforeEach
    void setUp() {
        ns = EtcdTesting.freshNamespace();
    }

    @AfterEach
    void tearDown() throws Exception {
        try (var c = EtcdTesting.settings(ns).newClient()) {
            EtcdTesting.wipe(c, ns);
        }
    }

    @Test
    void roundTripsEveryCommand() throws Exception {
        assertThat(ctl("--help").out()).contains("usage: pooledctl").contains("exit codes");

        Result empty = ctl("--output", "json", "get", "orders", "app");
        assertThat(empty.code()).isZero();
        assertThat(empty.json()).containsEntry("revision", java.math.BigInteger.ZERO).containsEntry("record", null);

        Path v1 = file("v1.json", "{\"max_connections\": 20, \"comment\": \"first\"}");
        assertThat(ctl("validate", "orders", "app", v1.toString()).code()).isZero();
        Result diff = ctl("diff", "orders", "app", v1.toString());
        assertThat(diff.out()).contains("max_connections: (unset) -> 20");
        Result set = ctl("--output", "json", "set", "orders", "app", v1.toString(), "--revision", "0");
        assertThat(set.code()).as(set.err()).isZero();
        long r1 = ((Number) set.json().get("revision")).longValue();

        Result got = ctl("--output", "json", "get", "orders", "app");
        assertThat(((Number) got.json().get("revision")).longValue()).isEqualTo(r1);
        assertThat(got.json().get("record")).asString().contains("max_connections=20");
        assertThat(ctl("get", "orders", "app").out()).contains("revision: " + r1);

        // set is a compare-and-swap on the revision get showed.
        Path v2 = file("v2.json", "{\"max_connections\": 25}");
        Result stale = ctl("set", "orders", "app", v2.toString(), "--revision", "0");
        assertThat(stale.code()).isEqualTo(PooledCtl.CONFLICT);
        assertThat(stale.err()).contains("is at version " + r1 + ", not 0").contains("--revision " + r1);
        // A record from standard input.
        Result set2 = ctlIn("{\"max_connections\": 25}", "--output", "json", "set", "orders", "app", "-",
                "--revision", Long.toString(r1));
        assertThat(set2.code()).as(set2.err()).isZero();
        long r2 = ((Number) set2.json().get("revision")).longValue();

        Path v3 = file("v3.json", "{\"max_connections\": 30}");
        Result staged = ctl("--output", "json", "stage", "orders", "app", "25", v3.toString(), "--revision",
                Long.toString(r2));
        assertThat(staged.code()).as(staged.err()).isZero();
        assertThat(ctl("get", "orders", "app").out()).contains("staged:   25 %");
        assertThat(ctl("stage", "orders", "app", "60").code()).isZero();
        assertThat(ctl("get", "orders", "app").out()).contains("staged:   60 %");
        // Setting while a rollout is staged is refused: promote or roll back first.
        assertThat(ctl("set", "orders", "app", v2.toString(), "--revision", Long.toString(r2)).code())
                .isEqualTo(PooledCtl.STATE);

        Result promoted = ctl("--output", "json", "promote", "orders", "app");
        assertThat(promoted.code()).as(promoted.err()).isZero();
        long r3 = ((Number) promoted.json().get("revision")).longValue();
        assertThat(ctl("get", "orders", "app").out()).contains("\"max_connections\":30").doesNotContain("staged");
        assertThat(ctl("promote", "orders", "app").code()).isEqualTo(PooledCtl.STATE);

        Result history = ctl("--output", "json", "history", "orders", "app");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) history.json().get("history");
        assertThat(entries).extracting(e -> e.get("by")).containsExactly("set", "set", "promote");
        assertThat(ctl("history", "orders", "app").out()).contains("REVISION");

        Result back = ctl("--output", "json", "rollback", "orders", "app");
        assertThat(back.code()).as(back.err()).isZero();
        assertThat(ctl("get", "orders", "app").out()).contains("\"max_connections\":25");
        assertThat(ctl("rollback", "orders", "app").code()).isZero();
        assertThat(ctl("get", "orders", "app").out()).contains("\"max_connections\":20");
        assertThat(ctl("rollback", "orders", "app").out()).contains("no record");
        assertThat(ctl("rollback", "orders", "app").code()).isEqualTo(PooledCtl.STATE);
        assertThat(r3).isGreaterThan(r2);

        // instances: a live registration shows up with its report.
        EtcdSettings settings = EtcdTesting.settings(ns);
        InstanceRegistration reg = InstanceRegistration.acquire(settings, "orders", new InstanceId("ctl-1"));
        try {
            reg.report("app", Map.of("applied_version", 7, "source", "record", "limit", 4, "in_use", 1,
                    "queue_depth", 0, "breaker_state", "closed"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> ctl("instances", "orders").out().contains("ctl-1"));
            assertThat(ctl("instances", "orders").out()).contains("INSTANCE").contains("closed");
            assertThat(ctl("--output", "json", "instances", "orders").json()).containsKey("instances");
        } finally {
            reg.close();
        }
    }

    @Test
    void refusesBadInputWithAClearMessage() throws Exception {
        Path bad = file("bad.json", "{\"max_connections\": 0, \"colour\": \"blue\"}");
        Result v = ctl("--output", "json", "validate", "orders", "app", bad.toString());
        assertThat(v.code()).isEqualTo(PooledCtl.INVALID);
        assertThat(v.err()).contains("record refused").contains("colour");
        assertThat(v.json()).containsEntry("error", "unknown_field").containsKey("violations");
        // set refuses before writing anything.
        Result s = ctl("set", "orders", "app", bad.toString(), "--revision", "0");
        assertThat(s.code()).isEqualTo(PooledCtl.INVALID);
        assertThat(ctl("--output", "json", "get", "orders", "app").json()).containsEntry("record", null);
        Path range = file("range.json", "{\"max_connections\": 0}");
        assertThat(ctl("set", "orders", "app", range.toString(), "--revision", "0").err())
                .contains("max_connections=0: must be a whole number from 1 to 10000");
        Path secret = file("secret.json", "{\"password\": \"do-not-show-me\"}");
        Result pw = ctl("validate", "orders", "app", secret.toString());
        assertThat(pw.code()).isEqualTo(PooledCtl.INVALID);
        assertThat(pw.err()).doesNotContain("do-not-show-me").contains("password_ref");

        assertThat(ctl("set", "orders", "app", range.toString()).err()).contains("needs --revision N");
        assertThat(ctl("frobnicate").code()).isEqualTo(PooledCtl.USAGE);
        assertThat(ctl("get", "orders").err()).contains("usage: get <service> <db_role>");
        assertThat(ctl("--output", "yaml", "get", "orders", "app").err()).contains("--output must be text or json");
        assertThat(ctl("stage", "orders", "app", "150").err()).contains("percent=150");
        assertThat(ctl("stage", "orders", "app", "half").err()).contains("percent must be a whole number");
        assertThat(ctl("get", "orders/x", "app").code()).isEqualTo(PooledCtl.USAGE);
        assertThat(ctl("validate", "orders", "app", dir.resolve("missing.json").toString()).err())
                .contains("cannot read the record");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new PooledCtl(new PrintStream(out), new PrintStream(err), new ByteArrayInputStream(new byte[0]),
                Map.of()).run("--endpoints", "http://127.0.0.1:1", "--timeout-ms", "500", "get", "orders", "app");
        assertThat(code).isEqualTo(PooledCtl.ETCD);
        assertThat(err.toString()).contains("etcd at http://127.0.0.1:1");
    }

    @Test
    void runsAsItsOwnProcess() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                PooledCtl.class.getName(), "--endpoints", EtcdTesting.ENDPOINT, "--namespace", ns, "--output", "json",
                "get", "orders", "app").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("\"revision\" : 0");
    }
}
