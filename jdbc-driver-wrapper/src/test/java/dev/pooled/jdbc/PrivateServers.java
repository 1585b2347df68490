package dev.pooled.jdbc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The private servers of {@code scripts/private-servers.sh} (issue 10): a PostgreSQL primary and its streaming
 * standby, a small PostgreSQL (max_connections=30) and a MariaDB, on their own loopback ports, so that tests may stop,
 * fail over, restart or fill them without disturbing the shared servers other tests use. {@link #up()} starts what is
 * missing (a no-op when all run), so a narrow Maven run works without {@code scripts/test.sh}.
 */
final class PrivateServers {
    static final int PRIMARY = 55432;
    static final int STANDBY = 55433;
    static final int SMALL = 55434;
    static final int SMALL_MAX_CONNECTIONS = 30;
    static final int MARIADB = 33307;

    private PrivateServers() {
    }

    private static Path script() {
        String env = System.getenv("POOLED_PRIVATE_SERVERS");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path s = p.resolve("scripts/private-servers.sh");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IllegalStateException("scripts/private-servers.sh not found above " + here);
    }

    /** Runs the script with {@code args}, bounded to two minutes; fails the test with its output if it fails. */
    static String run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script().toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish within 120 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void up() {
        run("up");
    }

    /** @return {@code jdbc:postgresql://127.0.0.1:<port>/test} */
    static String pg(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test";
    }

    static Connection pgAdmin(int port) throws SQLException {
        return DriverManager.getConnection(pg(port) + "?user=postgres&ApplicationName=pooled-it-admin");
    }

    /** @return {@code jdbc:mysql://127.0.0.1:33307/test} */
    static String mariadb() {
        return "jdbc:mysql://127.0.0.1:" + MARIADB + "/test";
    }

    static Connection mariadbAdmin() throws SQLException {
        return DriverManager.getConnection(mariadb() + "?user=root&password=");
    }
}
