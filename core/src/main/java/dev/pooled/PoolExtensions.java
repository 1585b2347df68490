package dev.pooled;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The {@link PoolExtension}s on the class path, and how a starting layer runs them for one pool. Immutable and
 * thread-safe.
 *
 * @since 0.1.0
 */
public final class PoolExtensions {
    private static final PoolExtensions NONE = new PoolExtensions(List.of());
    private static volatile PoolExtensions installed;

    private final List<PoolExtension> extensions;

    private PoolExtensions(List<PoolExtension> extensions) {
        this.extensions = List.copyOf(extensions);
    }

    /** @return the extensions that {@link ServiceLoader} finds with this class's class loader; loaded once */
    public static PoolExtensions installed() {
        PoolExtensions p = installed;
        if (p == null) {
            List<PoolExtension> found = new ArrayList<>();
            for (PoolExtension e : ServiceLoader.load(PoolExtension.class, PoolExtensions.class.getClassLoader())) {
                found.add(e);
            }
            p = found.isEmpty() ? NONE : new PoolExtensions(found);
            installed = p;
        }
        return p;
    }

    /** @param extensions the extensions to use, in order; @return them */
    public static PoolExtensions of(List<PoolExtension> extensions) {
        return new PoolExtensions(extensions);
    }

    /** @param key a setting name without {@code pooled.}; @return whether an extension owns it */
    public boolean accepts(String key) {
        for (PoolExtension e : extensions) {
            if (e.accepts(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param key a setting name without {@code pooled.} that no extension accepts
     * @return a hint naming the module that would own it (such as {@code pooled-jdbc-etcd} for {@code etcd.*} and
     *         {@code instance_id}), or {@code null}
     */
    public static String missingModule(String key) {
        if (key.startsWith("etcd.") || key.equals("instance_id")) {
            return "dev.pooled:pooled-jdbc-etcd";
        }
        return null;
    }

    /**
     * Attaches every extension that owns one of {@code settings} to a pool about to start.
     *
     * @param settings the pool's extension settings (names without {@code pooled.})
     * @param requested the config from the pool's own settings
     * @param physical the pool's physical-connection opener
     * @param instrumentation how the pool is observed
     * @return the attachments, to apply and close together; empty when {@code settings} is empty
     * @throws PoolConfigException from an extension; attachments made before it are closed
     */
    public Attached attach(Map<String, String> settings, PoolConfig requested, PhysicalConnections physical,
            Instrumentation instrumentation) {
        if (settings.isEmpty() || extensions.isEmpty()) {
            return Attached.EMPTY;
        }
        Map<String, String> view = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        PoolExtension.Context ctx = new PoolExtension.Context() {
            @Override
            public Map<String, String> settings() {
                return view;
            }

            @Override
            public PoolConfig requested() {
                return requested;
            }

            @Override
            public PhysicalConnections physical() {
                return physical;
            }

            @Override
            public Instrumentation instrumentation() {
                return instrumentation;
            }
        };
        List<PoolExtension.Attachment> out = new ArrayList<>();
        try {
            for (PoolExtension e : extensions) {
                if (view.keySet().stream().anyMatch(e::accepts)) {
                    PoolExtension.Attachment a = e.attach(ctx);
                    if (a != null && a != PoolExtension.Attachment.NONE) {
                        out.add(a);
                    }
                }
            }
        } catch (RuntimeException ex) {
            out.forEach(PoolExtension.Attachment::close);
            throw ex;
        }
        return new Attached(out);
    }

    /**
     * The attachments of one pool, applied in order.
     *
     * @since 0.1.0
     */
    public static final class Attached implements AutoCloseable {
        /** No attachment. */
        public static final Attached EMPTY = new Attached(List.of());
        private final List<PoolExtension.Attachment> attachments;

        private Attached(List<PoolExtension.Attachment> attachments) {
            this.attachments = attachments;
        }

        /** @return whether no extension takes part */
        public boolean isEmpty() {
            return attachments.isEmpty();
        }

        /** @param requested the pool's own config; @return the config to start with */
        public PoolConfig startConfig(PoolConfig requested) {
            PoolConfig c = requested;
            for (PoolExtension.Attachment a : attachments) {
                c = a.startConfig(c);
            }
            return c;
        }

        /** @param requested the default budget source; @return the one to use */
        public BudgetSource budgets(BudgetSource requested) {
            BudgetSource b = requested;
            for (PoolExtension.Attachment a : attachments) {
                b = a.budgets(b);
            }
            return b;
        }

        /** @param pool the running pool */
        public void started(ConnectionPool pool) {
            for (PoolExtension.Attachment a : attachments) {
                a.started(pool);
            }
        }

        @Override
        public void close() {
            for (PoolExtension.Attachment a : attachments) {
                try {
                    a.close();
                } catch (RuntimeException e) {
                    // close() must not throw; one failing attachment must not keep the others open.
                }
            }
        }

        @Override
        public String toString() {
            return "PoolExtensions.Attached" + attachments;
        }
    }

    @Override
    public String toString() {
        return "PoolExtensions" + extensions;
    }
}
