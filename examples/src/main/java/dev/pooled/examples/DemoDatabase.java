package dev.pooled.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database the demo talks to, with the two knobs the story needs: a latency that can be raised (a slow database)
 * and an outage (physical connections fail).
 *
 * <ul>
 *   <li><b>H2</b> (the default, in this process): each request runs {@code CALL DEMO_WORK(?)}, a Java function
 *       that sleeps for the current latency. The outage is a switch read by two functions: {@code DEMO_WORK} fails
 *       with SQLState {@code 08006} (HikariCP evicts a connection that reports class 08, as it would after a lost
 *       socket), and {@code DEMO_CONNECT}, which H2 runs on every new physical connection through the URL's
 *       {@code INIT=} setting, refuses it. So during the outage no physical connection can be had, as when a server
 *       is down.</li>
 *   <li><b>PostgreSQL / MySQL</b> (with {@code --url}): the latency is {@code pg_sleep} / {@code SLEEP} in the
 *       statement. The outage is a TCP relay in this process between the pool and the server (the URL's host and
 *       port are pointed at it): cutting it closes every relayed socket and refuses new ones. The shared server
 *       itself is never stopped.</li>
 * </ul>
 */
public final class DemoDatabase implements AutoCloseable {
    /** Sleep time of a request in the H2 functions, in microseconds. */
    private static volatile long latencyMicros = 10_000;
    /** When set, the H2 functions fail as an unreachable server would. */
    private static volatile boolean down;

    enum Kind { H2, POSTGRESQL, MYSQL }

    private static final Pattern NETWORK_URL =
            Pattern.compile("^jdbc:pooled:(postgresql|mysql|mariadb)://([^/:?,;]+)(?::(\\d+))?(/.*)?$");

    private final Kind kind;
    private final String poolUrl;
    private final String description;
    private final Relay relay;
    /** A direct (non-pooled) connection that keeps the in-memory H2 database alive; null otherwise. */
    private final Connection keepAlive;

    private DemoDatabase(Kind kind, String poolUrl, String description, Relay relay, Connection keepAlive) {
        this.kind = kind;
        this.poolUrl = poolUrl;
        this.description = description;
        this.relay = relay;
        this.keepAlive = keepAlive;
    }

    /**
     * Checks the URL and prepares the database.
     *
     * @param url {@code null} for the embedded H2, else a {@code jdbc:pooled:postgresql:}/{@code mysql:} URL
     * @throws IllegalArgumentException if the URL is not one the demo can run against, with what is allowed
     * @throws SQLException if the database cannot be reached
     */
    static DemoDatabase open(String url) throws SQLException, IOException {
        latencyMicros = 10_000;
        down = false;
        if (url == null) {
            String name = "pooled-demo-" + Long.toHexString(System.nanoTime());
            String direct = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
            Connection keep = DriverManager.getConnection(direct);
            try (Statement st = keep.createStatement()) {
                st.execute("CREATE ALIAS IF NOT EXISTS DEMO_WORK FOR 'dev.pooled.examples.DemoDatabase.work'");
                st.execute("CREATE ALIAS IF NOT EXISTS DEMO_CONNECT FOR 'dev.pooled.examples.DemoDatabase.connect'");
            }
            return new DemoDatabase(Kind.H2, "jdbc:pooled:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;INIT=CALL DEMO_CONNECT()",
                    "embedded H2 " + org.h2.engine.Constants.VERSION + " in this process (jdbc:pooled:h2:mem:" + name + ")",
                    null, keep);
        }
        Matcher m = NETWORK_URL.matcher(url);
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("--url '" + redact(url) + "' is not a JDBC URL: it must start with "
                    + "'jdbc:pooled:', e.g. jdbc:pooled:postgresql://127.0.0.1:5432/test?user=postgres");
        }
        if (!url.startsWith("jdbc:pooled:")) {
            throw new IllegalArgumentException("--url '" + redact(url) + "' does not go through the pool: write "
                    + "'jdbc:pooled:" + redact(url).substring("jdbc:".length()) + "' (insert 'pooled:' after 'jdbc:')");
        }
        if (!m.matches()) {
            String sub = url.substring("jdbc:pooled:".length());
            int colon = sub.indexOf(':');
            throw new IllegalArgumentException("--url '" + redact(url) + "': unknown or unsupported database '"
                    + (colon < 0 ? sub : sub.substring(0, colon)) + "'; the demo runs against postgresql and mysql "
                    + "(or mariadb) URLs of the form jdbc:pooled:<db>://host[:port]/database[?params], or, without "
                    + "--url, against an embedded H2");
        }
        Kind kind = m.group(1).equals("postgresql") ? Kind.POSTGRESQL : Kind.MYSQL;
        String host = m.group(2);
        int port = m.group(3) != null ? Integer.parseInt(m.group(3)) : kind == Kind.POSTGRESQL ? 5432 : 3306;
        String delegate = "jdbc:" + url.substring("jdbc:pooled:".length());
        try {
            DriverManager.getDriver(delegate);
        } catch (SQLException e) {
            throw new IllegalArgumentException("--url '" + redact(url) + "': no JDBC driver for '" + m.group(1)
                    + "' on the class path", e);
        }
        Relay relay = new Relay(new InetSocketAddress(host, port));
        String relayed = "jdbc:pooled:" + m.group(1) + "://127.0.0.1:" + relay.port() + (m.group(4) == null ? "/"
                : m.group(4));
        // Fail here, with the server's own words, rather than in the first phase.
        try (Connection c = DriverManager.getConnection("jdbc:" + relayed.substring("jdbc:pooled:".length()))) {
            c.isValid(5);
        } catch (SQLException e) {
            relay.close();
            throw e;
        }
        return new DemoDatabase(kind, relayed, m.group(1) + " at " + host + ":" + port
                + " (through an in-process TCP relay on 127.0.0.1:" + relay.port() + " that the outage phase cuts)",
                relay, null);
    }

    /** @return the {@code jdbc:pooled:} URL the demo's pools use */
    String poolUrl() {
        return poolUrl;
    }

    /** @return what the demo runs against, for people */
    String description() {
        return description;
    }

    Kind kind() {
        return kind;
    }

    /** @return how the outage is made, for people */
    String outageHow() {
        return kind == Kind.H2 ? "new physical connections are refused (H2 INIT hook) and live ones fail with 08006"
                : "the TCP relay to the server is cut: live sockets closed, new ones refused";
    }

    /** @return the statement one request runs; its one parameter is the latency in {@link #latencyParameter()} */
    String workSql() {
        switch (kind) {
            case H2:
                return "SELECT DEMO_WORK(1)";
            case POSTGRESQL:
                return "SELECT pg_sleep(?)";
            default:
                return "SELECT SLEEP(?)";
        }
    }

    /** @return whether {@link #workSql()} takes the latency (in seconds) as its parameter */
    boolean latencyParameter() {
        return kind != Kind.H2;
    }

    /** @return the latency in seconds, for {@code pg_sleep}/{@code SLEEP} */
    double latencySeconds() {
        return latencyMicros / 1e6;
    }

    void latency(long micros) {
        latencyMicros = micros;
    }

    long latencyMicros() {
        return latencyMicros;
    }

    void outage(boolean on) {
        down = on;
        if (relay != null) {
            relay.cut(on);
        }
    }

    /** Runs one request's statement on {@code c}. */
    void work(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(workSql())) {
            if (latencyParameter()) {
                ps.setDouble(1, latencySeconds());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
    }

    @Override
    public void close() throws SQLException {
        down = false;
        if (relay != null) {
            relay.close();
        }
        if (keepAlive != null) {
            try (Statement st = keepAlive.createStatement()) {
                st.execute("SHUTDOWN");
            } catch (SQLException ignored) {
                // already gone
            }
            keepAlive.close();
        }
    }

    // ---- H2 functions (public static: H2 calls them by name) ---------------------------------------------------

    /**
     * {@code DEMO_WORK(n)}: one request's work on the embedded database.
     *
     * @param n returned
     * @return n
     * @throws SQLException 08006 while the simulated outage lasts
     */
    public static int work(int n) throws SQLException {
        if (down) {
            throw new SQLNonTransientConnectionException("demo: database unreachable (simulated outage)", "08006");
        }
        long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(latencyMicros);
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
        return n;
    }

    /**
     * {@code DEMO_CONNECT()}: run by H2 on every new physical connection ({@code INIT=}).
     *
     * @throws SQLException 08001 while the simulated outage lasts
     */
    public static void connect() throws SQLException {
        if (down) {
            throw new SQLNonTransientConnectionException("demo: connection refused (simulated outage)", "08001");
        }
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(//[^/:@]*:)[^/@]*@", "$1***@");
    }

    /** A TCP relay on loopback whose links can be cut and restored. */
    private static final class Relay implements AutoCloseable {
        private final InetSocketAddress target;
        private final ServerSocket server;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();
        private volatile boolean cut;

        Relay(InetSocketAddress target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "pooled-demo-relay");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void cut(boolean on) {
            cut = on;
            if (on) {
                for (Socket s : open) {
                    quietClose(s);
                }
            }
        }

        private void accept() {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                if (cut) {
                    quietClose(client);
                    continue;
                }
                try {
                    Socket upstream = new Socket();
                    upstream.connect(target, 5000);
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    quietClose(client);
                }
            }
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // the other side went away, or the outage cut the link
                } finally {
                    quietClose(from);
                    quietClose(to);
                    open.remove(from);
                    open.remove(to);
                }
            }, "pooled-demo-relay-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void quietClose(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            cut(true);
        }
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
