package dev.pooled.etcd;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An etcd of a test's own (Debian's /usr/bin/etcd) on free loopback ports with a temporary data directory, so that
 * a test may stop, restart and compact it without touching the shared one on 2379. {@link #close()} stops it and
 * removes the directory.
 */
public final class PrivateEtcd implements AutoCloseable {
    private static final String BINARY = System.getProperty("pooled.test.etcd.binary", "/usr/bin/etcd");
    private final Path dataDir;
    private final int clientPort;
    private final int peerPort;
    private final Path log;
    private final List<String> extraArgs;
    private final String scheme;
    private Process process;

    public PrivateEtcd() throws IOException {
        this(List.of(), false);
    }

    /**
     * @param extraArgs more etcd flags (TLS files, ...)
     * @param tls whether clients speak https
     */
    public PrivateEtcd(List<String> extraArgs, boolean tls) throws IOException {
        this.dataDir = Files.createTempDirectory("pooled-etcd-");
        this.clientPort = freePort();
        this.peerPort = freePort();
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.extraArgs = List.copyOf(extraArgs);
        this.scheme = tls ? "https" : "http";
        start();
    }

    public String endpoint() {
        return scheme + "://127.0.0.1:" + clientPort;
    }

    public int port() {
        return clientPort;
    }

    /** Starts etcd (again, on the same data and ports) and waits until it accepts connections. */
    public void start() throws IOException {
        String client = endpoint();
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> cmd = new java.util.ArrayList<>(List.of(BINARY, "--name", "private", "--data-dir",
                dataDir.toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "private=" + peer, "--initial-cluster-state", "new"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket("127.0.0.1", clientPort)) {
                return;
            } catch (IOException notYet) {
                sleep(Duration.ofMillis(50));
            }
        }
        throw new IOException("etcd did not listen on " + clientPort + " within 30 s; see " + log);
    }

    /** Stops etcd (SIGTERM, then SIGKILL) and waits until its port is closed. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() throws IOException {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
