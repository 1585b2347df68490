package dev.pooled.etcd.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A global budget's record, {@code /pooled/v1/budget/<name>}: how many connections every instance of every service
 * naming the budget may hold together. Immutable; {@link #of} checks every rule at once.
 *
 * <p>The floor is the static division teams do by hand today ({@code max_instances × floor_per_instance}), reserved
 * whether or not those instances exist, so that an instance that cannot reach etcd may serve on its floor without
 * asking anyone; only the rest, {@code max_connections − reserve − max_instances × floor_per_instance}, moves between
 * instances with demand.
 */
public final class BudgetSpec {
    /** Record keys, as written in etcd and by {@code pooledctl budget set}. */
    public static final String MAX_CONNECTIONS = "max_connections";
    /** Connections left for admins, migrations and other clients. */
    public static final String RESERVE = "reserve";
    /** What every instance may hold without a quota: at start, and whenever it cannot reach etcd. */
    public static final String FLOOR_PER_INSTANCE = "floor_per_instance";
    /** The most instances (pools) that may claim the budget at once; their floors are always reserved. */
    public static final String MAX_INSTANCES = "max_instances";
    /** How long the allocator keeps counting a departed member at its last bound before reusing it. */
    public static final String GRACE_MS = "grace_ms";
    /** Whether the database's own figures (connections vs its max_connections, refusals) cap the budget. */
    public static final String RESPECT_DATABASE = "respect_database";

    /** Default {@link #GRACE_MS}: covers an instance's drain after its local deadline on a loaded machine. */
    public static final long DEFAULT_GRACE_MS = 3_000;
    /** Longest {@link #GRACE_MS}. */
    public static final long MAX_GRACE_MS = 600_000;
    /** Largest {@link #MAX_CONNECTIONS} (PostgreSQL's own limit for max_connections is 262143). */
    public static final int MAX_MAX_CONNECTIONS = 262_143;

    private final int maxConnections;
    private final int reserve;
    private final int floorPerInstance;
    private final int maxInstances;
    private final long graceMillis;
    private final boolean respectDatabase;

    private BudgetSpec(int maxConnections, int reserve, int floorPerInstance, int maxInstances, long graceMillis,
            boolean respectDatabase) {
        this.maxConnections = maxConnections;
        this.reserve = reserve;
        this.floorPerInstance = floorPerInstance;
        this.maxInstances = maxInstances;
        this.graceMillis = graceMillis;
        this.respectDatabase = respectDatabase;
    }

    /**
     * @return a checked record
     * @throws IllegalArgumentException listing every rule broken, with key, value and the allowed range
     */
    public static BudgetSpec of(int maxConnections, int reserve, int floorPerInstance, int maxInstances,
            long graceMillis, boolean respectDatabase) {
        List<String> errors = new ArrayList<>();
        if (maxConnections < 1 || maxConnections > MAX_MAX_CONNECTIONS) {
            errors.add(MAX_CONNECTIONS + "=" + maxConnections + ": must be 1.." + MAX_MAX_CONNECTIONS);
        }
        if (reserve < 0 || reserve >= Math.max(1, maxConnections)) {
            errors.add(RESERVE + "=" + reserve + ": must be 0.." + (maxConnections - 1) + " (below "
                    + MAX_CONNECTIONS + ")");
        }
        if (floorPerInstance < 0) {
            errors.add(FLOOR_PER_INSTANCE + "=" + floorPerInstance + ": must be at least 0");
        }
        if (maxInstances < 1 || maxInstances > 100_000) {
            errors.add(MAX_INSTANCES + "=" + maxInstances + ": must be 1..100000");
        }
        if (graceMillis < 0 || graceMillis > MAX_GRACE_MS) {
            errors.add(GRACE_MS + "=" + graceMillis + ": must be 0.." + MAX_GRACE_MS);
        }
        if (errors.isEmpty() && (long) floorPerInstance * maxInstances > maxConnections - reserve) {
            errors.add(MAX_INSTANCES + " × " + FLOOR_PER_INSTANCE + " = " + maxInstances + " × " + floorPerInstance
                    + " = " + ((long) floorPerInstance * maxInstances) + ": must be at most " + MAX_CONNECTIONS
                    + " − " + RESERVE + " = " + (maxConnections - reserve)
                    + " (every instance may serve on its floor without etcd)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid budget record: " + String.join("; ", errors));
        }
        return new BudgetSpec(maxConnections, reserve, floorPerInstance, maxInstances, graceMillis, respectDatabase);
    }

    /** @return {@value #MAX_CONNECTIONS} */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return {@value #RESERVE} */
    public int reserve() {
        return reserve;
    }

    /** @return {@value #FLOOR_PER_INSTANCE} */
    public int floorPerInstance() {
        return floorPerInstance;
    }

    /** @return {@value #MAX_INSTANCES} */
    public int maxInstances() {
        return maxInstances;
    }

    /** @return {@value #GRACE_MS} */
    public long graceMillis() {
        return graceMillis;
    }

    /** @return {@value #RESPECT_DATABASE} */
    public boolean respectDatabase() {
        return respectDatabase;
    }

    /** @return what the members may hold together: {@code max_connections − reserve} */
    public int available() {
        return maxConnections - reserve;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BudgetSpec s && s.maxConnections == maxConnections && s.reserve == reserve
                && s.floorPerInstance == floorPerInstance && s.maxInstances == maxInstances
                && s.graceMillis == graceMillis && s.respectDatabase == respectDatabase;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxConnections, reserve, floorPerInstance, maxInstances, graceMillis, respectDatabase);
    }

    @Override
    public String toString() {
        return "{" + MAX_CONNECTIONS + "=" + maxConnections + ", " + RESERVE + "=" + reserve + ", "
                + FLOOR_PER_INSTANCE + "=" + floorPerInstance + ", " + MAX_INSTANCES + "=" + maxInstances + ", "
                + GRACE_MS + "=" + graceMillis + ", " + RESPECT_DATABASE + "=" + respectDatabase + "}";
    }
}
