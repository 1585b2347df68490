package dev.pooled.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own (initdb as the postgres OS user under /tmp, on a free loopback port), so
 * that a test may require scram-sha-256 for one role ahead of the trust rules without touching the shared
 * cluster's pg_hba.conf. {@link #close()} stops it and removes it.
 */
public final class PrivatePostgres implements AutoCloseable {
    private final Path dir;
    private final Path data;
    private final Path bin;
    private final int port;

    /**
     * @param scramRole the role that must log in with scram-sha-256 over 127.0.0.1; every other role is trusted
     */
    public PrivatePostgres(String scramRole) throws IOException, InterruptedException {
        this.bin = binDir();
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "pooled-pg-");
        this.data = dir.resolve("data");
        this.port = PrivateEtcd.freePort();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run("chown", "postgres:postgres", dir.toString());
        }
        run(asPostgres(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U",
                "postgres", "--no-sync"));
        Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\n"
                + "host all " + scramRole + " 127.0.0.1/32 scram-sha-256\n"
                + "host all all 127.0.0.1/32 trust\n");
        Files.writeString(data.resolve("postgresql.conf"), "\nport = " + port + "\nlisten_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '" + dir + "'\npassword_encryption = 'scram-sha-256'\n"
                + "max_connections = 60\nshared_buffers = 16MB\nfsync = off\n",
                java.nio.file.StandardOpenOption.APPEND);
        run(asPostgres(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "60", "start"));
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Path dir() {
        return dir;
    }

    private static List<String> asPostgres(boolean root, String... cmd) {
        List<String> out = new ArrayList<>();
        if (root) {
            out.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        out.addAll(Arrays.asList(cmd));
        return out;
    }

    private static Path binDir() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.max(Comparator.comparing(p -> Integer.parseInt(p.getFileName().toString())))
                    .orElseThrow(() -> new IOException("no PostgreSQL under /usr/lib/postgresql")).resolve("bin");
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        run(Arrays.asList(cmd));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(out));
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            run(asPostgres(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w",
                    "stop"));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
