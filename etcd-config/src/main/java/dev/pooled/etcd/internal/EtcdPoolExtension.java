package dev.pooled.etcd.internal;

import dev.pooled.ConnectionPool;
import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.PoolExtension;
import dev.pooled.PoolStats;
import dev.pooled.etcd.EtcdSettings;
import dev.pooled.etcd.InstanceId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plugs config records into pools started with {@code pooled.etcd.endpoints}: found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.pooled.PoolExtension}). Owns {@code etcd.*} config settings
 * ({@link EtcdSettings#KEYS}) and {@code instance_id}.
 */
public final class EtcdPoolExtension implements PoolExtension {

    /** For {@link java.util.ServiceLoader}. */
    public EtcdPoolExtension() {
    }

    @Override
    public boolean accepts(String key) {
        return EtcdSettings.KEYS.contains(key) || key.equals(InstanceId.KEY);
    }

    @Override
    public Attachment attach(Context context) {
        Map<String, String> s = context.settings();
        if (!s.containsKey(EtcdSettings.ENDPOINTS)) {
            for (String k : s.keySet()) {
                if (EtcdSettings.KEYS.contains(k)) {
                    throw new PoolConfigException(List.of(new PoolConfigException.Violation(k,
                            k.equals(EtcdSettings.PASSWORD) ? "****" : s.get(k),
                            "needs etcd.endpoints (the etcd settings only apply to a pool that uses etcd)")));
                }
            }
            // instance_id alone: nothing to watch here (another extension, such as a budget, may use it).
            return Attachment.NONE;
        }
        EtcdSettings settings = EtcdSettings.parse(s);
        InstanceId id = InstanceId.from(s);
        PoolConfig base = context.requested();
        ConfigWatcher watcher = new ConfigWatcher(EtcdClients.acquire(settings), settings, id, base,
                context.physical(), context.instrumentation().meterRegistry(), base.service() + "/" + base.dbRole());
        return new Attachment() {
            @Override
            public PoolConfig startConfig(PoolConfig requested) {
                return watcher.startConfig();
            }

            @Override
            public void started(ConnectionPool pool) {
                watcher.start(new PoolTarget(pool), InstanceRegistration.acquire(settings, base.service(), id));
            }

            @Override
            public void close() {
                watcher.close();
            }

            @Override
            public String toString() {
                return "EtcdConfig[" + watcher + "]";
            }
        };
    }

    /** The running {@link ConnectionPool} as the watcher sees it. */
    static final class PoolTarget implements LivePool {
        private final ConnectionPool pool;

        PoolTarget(ConnectionPool pool) {
            this.pool = pool;
        }

        @Override
        public String name() {
            return pool.name();
        }

        @Override
        public boolean isClosed() {
            return pool.isClosed();
        }

        @Override
        public void reconfigure(PoolConfig next, long version) throws PoolConfigException {
            pool.reconfigure(next, version);
        }

        @Override
        public void roll() {
            pool.softEvictIdle();
        }

        @Override
        public Map<String, Object> figures() {
            PoolStats st = pool.stats();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pool", st.pool());
            m.put("config_version", st.configVersion());
            m.put("limit", st.limit());
            m.put("in_use", st.active());
            m.put("idle", st.idle());
            m.put("physical", st.total());
            m.put("queue_depth", st.queueDepth());
            m.put("breaker_state", st.breakerState());
            return m;
        }
    }

    @Override
    public String toString() {
        return "EtcdPoolExtension";
    }
}
