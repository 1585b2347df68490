package dev.pooled.spring.boot;

import dev.pooled.PoolStats;
import dev.pooled.RejectReason;
import dev.pooled.jdbc.PooledDataSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a pool as plain maps, for the health details and the {@code pooled} endpoint: one place decides
 * their names. Holds no credential: no URL, user or password is ever put in.
 */
final class PoolSnapshots {
    private PoolSnapshots() {
    }

    /** @return what the health indicator shows: identity, limit, use, queue, breaker, budget and config version */
    static Map<String, Object> health(PoolStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", s.pool());
        m.put("service", s.service());
        m.put("dbRole", s.dbRole());
        m.put("mode", s.config().mode().externalName());
        m.put("limit", s.limit());
        m.put("maxConnections", s.maxConnections());
        m.put("inUse", s.active());
        m.put("idle", s.idle());
        m.put("queueDepth", s.queueDepth());
        m.put("maxQueue", s.maxQueue());
        m.put("paused", s.paused());
        m.put("breaker", s.breakerState());
        if (s.budget() != null) {
            m.put("budget", s.budget());
        }
        m.put("budgetShare", s.budgetShare());
        m.put("configVersion", s.configVersion());
        return m;
    }

    /** @return every figure of {@link PoolStats}, and the settings the pool runs with */
    static Map<String, Object> full(PooledDataSource ds) {
        PoolStats s = ds.stats();
        Map<String, Object> m = health(s);
        m.put("total", s.total());
        m.put("targetSize", s.targetSize());
        m.put("utilization", finite(s.utilization()));
        m.put("acquired", s.acquired());
        m.put("timeouts", s.timeouts());
        m.put("rejected", s.rejected());
        Map<String, Long> rejections = new LinkedHashMap<>();
        for (RejectReason r : RejectReason.values()) {
            rejections.put(r.name().toLowerCase(Locale.ROOT), s.rejections(r));
        }
        m.put("rejections", rejections);
        m.put("leaksDetected", s.leaksDetected());
        m.put("leaksReclaimed", s.leaksReclaimed());
        m.put("waitTime", latency(s.waitTime()));
        m.put("useTime", latency(s.useTime()));
        m.put("transactionTime", latency(s.transactionTime()));
        m.put("arrivalRate", finite(s.arrivalRate()));
        m.put("holdTimeMicros", finite(s.holdTimeMicros()));
        m.put("offeredLoad", finite(s.offeredLoad()));
        m.put("recentHoldTimeMicros", finite(s.recentHoldTimeMicros()));
        m.put("baselineHoldTimeMicros", finite(s.baselineHoldTimeMicros()));
        m.put("sizingReason", s.sizingReason());
        Map<String, String> config = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.config().asMap().entrySet()) {
            config.put(PooledProperties.propertyName(e.getKey()).substring(PooledProperties.PREFIX.length() + 1),
                    e.getKey().endsWith("_ms") ? e.getValue() + "ms" : e.getValue());
        }
        m.put("config", config);
        return m;
    }

    private static Map<String, Object> latency(PoolStats.Latency l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", l.count());
        m.put("p50Micros", finite(l.p50Micros()));
        m.put("p99Micros", finite(l.p99Micros()));
        m.put("p999Micros", finite(l.p999Micros()));
        m.put("maxMicros", finite(l.maxMicros()));
        m.put("meanMicros", finite(l.meanMicros()));
        return m;
    }

    /** JSON has no NaN: an unknown figure is {@code null}. */
    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
