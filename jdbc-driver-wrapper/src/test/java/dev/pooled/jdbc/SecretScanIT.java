package dev.pooled.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooled.ConnectionPool;
import dev.pooled.Instrumentation;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 §2: a password never appears in any output surface — exception messages and their whole cause chains,
 * {@code toString()} of every public object, log lines (System.err, where slf4j-simple writes), meter names and tags,
 * JMX attributes and {@link dev.pooled.PoolStats} — in every URL form the delegate drivers accept, for PostgreSQL
 * and MySQL (MariaDB through Connector/J), with a password holding {@code @ ) ; & %}.
 */
@Timeout(180)
class SecretScanIT {
    /** The real password of the MySQL user below; PostgreSQL (trust on loopback) ignores it. */
    static final String PW = "Pw@x);&%41z";
    static final String PW_ENC = "Pw%40x%29%3B%26%2541z";
    static final String MY_USER = "pooled_sec_" + UUID.randomUUID().toString().substring(0, 8);

    private static final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private static PrintStream originalErr;

    @BeforeAll
    static void setUp() throws SQLException {
        try (Connection c = Servers.mysqlAdmin(); Statement st = c.createStatement()) {
            for (String host : new String[] {"localhost", "127.0.0.1", "%"}) {
                st.execute("CREATE USER '" + MY_USER + "'@'" + host + "' IDENTIFIED BY '" + PW + "'");
                st.execute("GRANT ALL ON test.* TO '" + MY_USER + "'@'" + host + "'");
            }
        }
        originalErr = System.err;
        // slf4j-simple writes to System.err as it is at each write: tee it into the scan.
        System.setErr(new PrintStream(new TeeStream(originalErr, logs), true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void tearDown() throws SQLException {
        System.setErr(originalErr);
        try (Connection c = Servers.mysqlAdmin(); Statement st = c.createStatement()) {
            for (String host : new String[] {"localhost", "127.0.0.1", "%"}) {
                st.execute("DROP USER IF EXISTS '" + MY_USER + "'@'" + host + "'");
            }
        }
    }

    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }

    private static String pg(String rest) {
        return "jdbc:pooled:" + Servers.PG.substring("jdbc:".length()) + rest;
    }

    private static String hostPort(String url) {
        String s = url.substring(url.indexOf("//") + 2);
        return s.substring(0, s.indexOf('/'));
    }

    private static String my(String rest) {
        return "jdbc:pooled:mysql://" + rest;
    }

    /** One request: a URL and the properties that go with it. */
    record Form(String name, String url, Properties info) {
        static Form of(String name, String url, String... props) {
            Properties p = new Properties();
            for (int i = 0; i < props.length; i += 2) {
                p.setProperty(props[i], props[i + 1]);
            }
            return new Form(name, url, p);
        }
    }

    private static List<Form> forms(String service) {
        String myHost = hostPort(Servers.MYSQL);
        String myHostOnly = myHost.substring(0, myHost.indexOf(':'));
        String myPort = myHost.substring(myHost.indexOf(':') + 1);
        String s = "pooled.service=" + service;
        return List.of(
                Form.of("pg ?password=", pg("?user=postgres&password=" + PW_ENC + "&" + s)),
                Form.of("pg Properties password", pg("?user=postgres&" + s), "password", PW),
                Form.of("pg pooled.password", pg("?user=postgres&" + s), "pooled.password", PW),
                Form.of("pg defaults password", pg("?user=postgres&" + s + "&ApplicationName=d")),
                Form.of("my user:pw@host", my(MY_USER + ":" + PW_ENC + "@" + myHost + "/test?" + s)),
                Form.of("my ?password=", my(myHost + "/test?user=" + MY_USER + "&password=" + PW_ENC + "&" + s)),
                Form.of("my Properties", my(myHost + "/test?" + s), "user", MY_USER, "password", PW),
                Form.of("my (host=...,password=...)", my("(host=" + myHostOnly + ",port=" + myPort + ",user="
                        + MY_USER + ",password=" + PW + ")/test?" + s)),
                Form.of("my address=(...)(password=...)", my("address=(host=" + myHostOnly + ")(port=" + myPort
                        + ")(user=" + MY_USER + ")(password=" + PW_ENC + ")/test?" + s)),
                Form.of("my pooled.password", my(myHost + "/test?user=" + MY_USER + "&" + s), "pooled.password",
                        PW));
    }

    @Test
    void noSecretInAnyOutputForAnyUrlForm() throws Exception {
        String service = Servers.tag("sec");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PoolRegistry registry = new PoolRegistry(Instrumentation.builder().meterRegistry(meters).jmx(true).build());
        PooledDriver driver = new PooledDriver(registry);
        List<String> outputs = new ArrayList<>();
        int served = 0;
        try {
            for (Form f : forms(service)) {
                Properties info;
                if (f.name.startsWith("pg defaults")) {
                    Properties defaults = new Properties();
                    defaults.setProperty("password", PW);
                    info = new Properties(defaults);
                } else {
                    info = f.info;
                }
                // The request as given, then: another password, a bad setting, then through a PooledDataSource.
                served += use(outputs, f.name, () -> driver.connect(f.url, info));
                Properties other = new Properties();
                other.putAll(f.info);
                other.setProperty("password", PW + "-other");
                use(outputs, f.name + " other password", () -> driver.connect(f.url, other));
                use(outputs, f.name + " bad setting", () -> driver.connect(f.url
                        + "&pooled.max_connections=0%0Aforged", f.info));
                use(outputs, f.name + " no driver", () -> driver.connect(f.url.replace("pooled:mysql:",
                        "pooled:nosuch:").replace("pooled:postgresql:", "pooled:nosuch:"), f.info));
                PooledDataSource.Builder b = PooledDataSource.builder().url(f.url).properties(f.info)
                        .set("service", service + "-ds").instrumentation(Instrumentation.builder()
                                .meterRegistry(meters).jmx(true).build());
                outputs.add(b.toString());
                try (PooledDataSource ds = b.build()) {
                    outputs.add(ds.toString());
                    outputs.add(ds.stats().toString());
                    outputs.add(ds.pool().toString());
                    try (Connection c = ds.getConnection()) {
                        outputs.add(c.toString());
                    }
                } catch (SQLException e) {
                    outputs.add(chain(e));
                }
            }
            assertThat(served).as("most forms open real connections").isGreaterThanOrEqualTo(5);
            for (ConnectionPool p : registry.pools()) {
                outputs.add(p.toString());
                outputs.add(p.stats().toString());
                outputs.add(p.config().toString());
                outputs.addAll(jmx(p.mbeanName()));
            }
            outputs.add(registry.toString());
            outputs.add(driver.toString());
            for (Meter m : meters.getMeters()) {
                outputs.add(m.getId().toString());
            }
        } finally {
            registry.close(Duration.ZERO);
        }
        System.err.flush();
        outputs.add(logs.toString(StandardCharsets.UTF_8));
        for (String out : outputs) {
            assertThat(out).as("an output").doesNotContain(PW).doesNotContain(PW_ENC).doesNotContain("41z")
                    .doesNotContain("Pw@x").doesNotContain("Pw%40x");
        }
        assertThat(String.join("\n", outputs)).contains("***");
    }

    interface Call {
        Connection get() throws SQLException;
    }

    /** @return 1 when the call gave a working connection; its outputs (or its exception chain) go to {@code out} */
    private static int use(List<String> out, String what, Call call) {
        try (Connection c = call.get()) {
            out.add(String.valueOf(c));
            try (Statement st = c.createStatement()) {
                st.execute("select 1");
            }
            return 1;
        } catch (SQLException | RuntimeException e) {
            out.add(what + ": " + chain(e));
            return 0;
        }
    }

    /** @return every message, toString and stack frame of a throwable and its causes and suppressed ones */
    static String chain(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        StringBuilder sb = new StringBuilder(w.toString());
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append('\n').append(c).append('\n').append(c.getMessage());
            if (c instanceof SQLException s && s.getNextException() != null) {
                sb.append('\n').append(chain(s.getNextException()));
            }
        }
        return sb.toString();
    }

    private static List<String> jmx(ObjectName name) throws Exception {
        List<String> out = new ArrayList<>();
        if (name == null) {
            return out;
        }
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName n : server.queryNames(new ObjectName(name.getDomain() + ":*"), null)) {
            out.add(n.toString());
            for (MBeanAttributeInfo a : server.getMBeanInfo(n).getAttributes()) {
                try {
                    out.add(a.getName() + "=" + server.getAttribute(n, a.getName()));
                } catch (Exception e) {
                    out.add(chain(e));
                }
            }
        }
        return out;
    }
}
