package dev.pooled.etcd.internal;

import dev.pooled.etcd.EtcdSettings;
import io.etcd.jetcd.Client;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One jetcd {@link Client} (one gRPC channel, one set of Vert.x threads) per distinct {@link EtcdSettings} in the
 * process, shared by every pool and budget that uses those settings, and closed when the last of them lets go.
 * Thread-safe.
 */
public final class EtcdClients {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<EtcdSettings, Shared> CLIENTS = new HashMap<>();

    private EtcdClients() {
    }

    /** A counted use of a shared client; {@link #close()} once. */
    public static final class Handle implements AutoCloseable {
        private final Shared shared;
        private boolean closed;

        private Handle(Shared shared) {
            this.shared = shared;
        }

        /** @return the client; do not close it */
        public Client client() {
            return shared.client;
        }

        /** @return the settings the client was built from */
        public EtcdSettings settings() {
            return shared.settings;
        }

        @Override
        public void close() {
            LOCK.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                if (--shared.users == 0) {
                    CLIENTS.remove(shared.settings);
                    shared.client.close();
                }
            } finally {
                LOCK.unlock();
            }
        }

        @Override
        public String toString() {
            return "EtcdClients.Handle[" + shared.settings.endpointsText() + "]";
        }
    }

    private static final class Shared {
        final EtcdSettings settings;
        final Client client;
        int users;

        Shared(EtcdSettings settings, Client client) {
            this.settings = settings;
            this.client = client;
        }
    }

    /**
     * @param settings how to reach etcd
     * @return a use of the shared client for these settings, built on first use (no I/O: jetcd connects lazily)
     */
    public static Handle acquire(EtcdSettings settings) {
        LOCK.lock();
        try {
            Shared s = CLIENTS.computeIfAbsent(settings, k -> new Shared(k, k.newClient()));
            s.users++;
            return new Handle(s);
        } finally {
            LOCK.unlock();
        }
    }
}
