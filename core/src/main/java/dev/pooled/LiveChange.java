package dev.pooled;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which settings a running pool can take live ({@link ConnectionPool#reconfigure}). Everything not listed in
 * {@link #LIVE} is fixed for the pool's life, so a setting added to {@link PoolConfig} later is refused until someone
 * decides how to apply it. Why each fixed one is fixed:
 * <ul>
 * <li>{@code service}, {@code db_role}: the pool's identity (its name, meter tags, MBean, tenant).
 * <li>{@code mode}, {@code pin_policy}: the driver built its logical connections for them.
 * <li>{@code sizing}, {@code throttling}: they choose the control loop's and HikariCP's structure.
 * <li>{@code budget}, {@code budget_max}: the pool holds a claim on a budget; moving it means a new claim.
 * <li>{@code leak_threshold_ms}, {@code leak_reclaim_ms}, {@code track_transactions}: borrowers already hold leases
 *     (or none) chosen at the start.
 * <li>{@code breaker_failure_rate}, {@code breaker_open_ms}: the breaker's window and state would start over.
 * <li>{@code priority} under a {@code budget}: it is also the budget claim's priority.
 * </ul>
 */
final class LiveChange {
    /** Settings a running pool applies live. */
    static final Set<String> LIVE = Set.of(PoolConfig.MAX_CONNECTIONS, PoolConfig.MAX_QUEUE, PoolConfig.TIMEOUT_MS,
            PoolConfig.PRIORITY, PoolConfig.MIN_IDLE, PoolConfig.MAX_LIFETIME_MS, PoolConfig.MAX_ACQUIRE_RATE);

    private LiveChange() {
    }

    /**
     * @param current the config in force
     * @param next the config asked for
     * @return one violation per setting that differs and cannot change live, naming both values; empty if
     *         {@code next} can be applied
     */
    static List<PoolConfigException.Violation> refused(PoolConfig current, PoolConfig next) {
        Map<String, String> was = current.asMap();
        Map<String, String> now = next.asMap();
        List<PoolConfigException.Violation> out = new ArrayList<>();
        for (Map.Entry<String, String> e : now.entrySet()) {
            String key = e.getKey();
            String before = was.get(key);
            if (Objects.equals(before, e.getValue())) {
                continue;
            }
            boolean fixed = !LIVE.contains(key)
                    || (key.equals(PoolConfig.PRIORITY) && current.budget() != null);
            if (fixed) {
                out.add(new PoolConfigException.Violation(key, e.getValue(), "cannot change while the pool runs"
                        + " (it runs with " + key + "=" + before + (key.equals(PoolConfig.PRIORITY)
                                ? ", the priority of its claim on budget " + current.budget() : "")
                        + "); start a new pool for it"));
            }
        }
        return out;
    }
}
