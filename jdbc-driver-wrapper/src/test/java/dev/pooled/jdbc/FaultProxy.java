package dev.pooled.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP forwarder in front of a real server, for faults the server itself cannot be asked for: added
 * latency on every reply, connections refused (the listening socket closed), and live connections cut. Each
 * connection is two daemon threads pumping bytes. Not for load: it is a test fixture.
 */
final class FaultProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final int port;
    private volatile ServerSocket listener;
    private volatile long replyDelayNanos;
    private volatile boolean closed;
    /** New connections are accepted and then never answered (a server that hangs in its handshake). */
    private volatile boolean blackhole;

    /**
     * @param host the server's host
     * @param targetPort the server's port
     */
    FaultProxy(String host, int targetPort) throws IOException {
        this.target = new InetSocketAddress(host, targetPort);
        ServerSocket s = bind(0);
        this.port = s.getLocalPort();
        start(s);
    }

    /** @return the port clients connect to, on 127.0.0.1 */
    int port() {
        return port;
    }

    /** @param millis delay added before every chunk the server sends back; 0 = none */
    void replyDelay(long millis) {
        replyDelayNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Refuses new connections (closes the listening socket) and cuts every live one: the server is "down". */
    synchronized void down() throws IOException {
        ServerSocket s = listener;
        listener = null;
        if (s != null) {
            s.close();
        }
        for (Socket c : live) {
            c.close();
        }
        live.clear();
    }

    /**
     * @param on whether connections accepted from now on are held open and never answered, instead of forwarded;
     *        live connections are not touched (cut them with {@link #cutLive()})
     */
    void blackhole(boolean on) {
        blackhole = on;
    }

    /** @return sockets held now (both ends of each forwarded connection, one per black-holed one) */
    int liveCount() {
        return live.size();
    }

    /** Cuts every live connection but keeps accepting new ones. */
    synchronized void cutLive() {
        for (Socket c : live) {
            quietClose(c);
        }
        live.clear();
    }

    /** Accepts connections again, on the same port. */
    synchronized void up() throws IOException {
        if (listener == null && !closed) {
            start(bind(port));
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return s;
    }

    private void start(ServerSocket s) {
        listener = s;
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    if (blackhole) {
                        live.add(client); // held: read nothing, answer nothing, until cut or closed
                        continue;
                    }
                    Socket server = new Socket();
                    server.connect(target, 2_000);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    live.add(client);
                    live.add(server);
                    pump(client, server, false);
                    pump(server, client, true);
                } catch (IOException e) {
                    // listener closed, or the server refused: the client sees its connection closed
                }
            }
        }, "fault-proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to, boolean reply) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    long delay = reply ? replyDelayNanos : 0L;
                    if (delay > 0) {
                        TimeUnit.NANOSECONDS.sleep(delay);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // cut
            } catch (IOException | InterruptedException e) {
                // cut
            } finally {
                quietClose(from);
                quietClose(to);
                live.remove(from);
                live.remove(to);
            }
        }, "fault-proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        down();
    }
}
