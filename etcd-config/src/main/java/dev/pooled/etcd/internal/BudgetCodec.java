package dev.pooled.etcd.internal;

import dev.pooled.etcd.internal.BudgetAllocator.Member;
import dev.pooled.etcd.internal.BudgetAllocator.Quota;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of a budget's keys: the record, members' reports, quotas. A record is checked whole (unknown keys,
 * wrong types and every rule of {@link BudgetSpec}, listed at once); reports and quotas are written by this library
 * and read leniently (a malformed one reads as {@code null} and is ignored, never guessed at).
 */
public final class BudgetCodec {
    private static final Set<String> RECORD_KEYS = Set.of(BudgetSpec.MAX_CONNECTIONS, BudgetSpec.RESERVE,
            BudgetSpec.FLOOR_PER_INSTANCE, BudgetSpec.MAX_INSTANCES, BudgetSpec.GRACE_MS,
            BudgetSpec.RESPECT_DATABASE);

    private BudgetCodec() {
    }

    /**
     * @param json the record's text
     * @return the record
     * @throws IllegalArgumentException naming every bad key, its value and what is allowed
     */
    public static BudgetSpec parseRecord(String json) {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException("invalid budget record: not JSON (" + e.getMessage() + ")");
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("invalid budget record: must be a JSON object with "
                    + BudgetSpec.MAX_CONNECTIONS + ", " + BudgetSpec.RESERVE + ", " + BudgetSpec.FLOOR_PER_INSTANCE
                    + ", " + BudgetSpec.MAX_INSTANCES);
        }
        List<String> errors = new ArrayList<>();
        for (Object k : m.keySet()) {
            if (!RECORD_KEYS.contains(k)) {
                errors.add("unknown key '" + String.valueOf(k).replaceAll("[^A-Za-z0-9._-]", "?") + "' (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(RECORD_KEYS)) + ")");
            }
        }
        int max = intField(m, BudgetSpec.MAX_CONNECTIONS, null, errors);
        int reserve = intField(m, BudgetSpec.RESERVE, 0, errors);
        int floor = intField(m, BudgetSpec.FLOOR_PER_INSTANCE, 1, errors);
        int instances = intField(m, BudgetSpec.MAX_INSTANCES, null, errors);
        int grace = intField(m, BudgetSpec.GRACE_MS, (int) BudgetSpec.DEFAULT_GRACE_MS, errors);
        Object rd = m.get(BudgetSpec.RESPECT_DATABASE);
        boolean respect = true;
        if (rd instanceof Boolean b) {
            respect = b;
        } else if (rd != null) {
            errors.add(BudgetSpec.RESPECT_DATABASE + ": must be true or false");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid budget record: " + String.join("; ", errors));
        }
        return BudgetSpec.of(max, reserve, floor, instances, grace, respect);
    }

    private static int intField(Map<?, ?> m, String key, Integer dflt, List<String> errors) {
        Object v = m.get(key);
        if (v == null) {
            if (dflt == null) {
                errors.add(key + ": required (an integer)");
                return 0;
            }
            return dflt;
        }
        if (v instanceof BigInteger b && b.bitLength() < 32) {
            return b.intValue();
        }
        errors.add(key + "=" + (v instanceof Number ? v : "a " + v.getClass().getSimpleName().toLowerCase())
                + ": must be an integer");
        return 0;
    }

    /** @return the record's JSON, keys in a fixed order */
    public static String writeRecord(BudgetSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(BudgetSpec.MAX_CONNECTIONS, s.maxConnections());
        m.put(BudgetSpec.RESERVE, s.reserve());
        m.put(BudgetSpec.FLOOR_PER_INSTANCE, s.floorPerInstance());
        m.put(BudgetSpec.MAX_INSTANCES, s.maxInstances());
        m.put(BudgetSpec.GRACE_MS, s.graceMillis());
        m.put(BudgetSpec.RESPECT_DATABASE, s.respectDatabase());
        return Json.write(m, false);
    }

    static String writeReport(String instance, String pool, int priority, int demand, int held, int grant,
            long seen, int dbConnections, int dbMax, long refusals) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", instance);
        m.put("pool", pool);
        m.put("priority", priority);
        m.put("demand", demand);
        m.put("held", held);
        m.put("grant", grant);
        m.put("seen", seen);
        m.put("db_connections", dbConnections);
        m.put("db_max", dbMax);
        m.put("refusals", refusals);
        return Json.write(m, false);
    }

    /** @return the member, or {@code null} if the report is unreadable */
    static Member readMember(String id, long createRevision, String json) {
        Map<?, ?> m = object(json);
        if (m == null) {
            return null;
        }
        return new Member(id, createRevision, (int) num(m, "priority", 5), (int) num(m, "demand", 0),
                (int) num(m, "held", 0), (int) num(m, "grant", 0), num(m, "seen", 0), (int) num(m, "db_connections", -1),
                (int) num(m, "db_max", -1), num(m, "refusals", 0));
    }

    static String writeQuota(long memberRevision, int grant, int bound) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("member_rev", memberRevision);
        m.put("grant", grant);
        m.put("bound", bound);
        return Json.write(m, false);
    }

    /**
     * @return the quota, or {@code null} if unreadable. An unreadable quota must not be ignored by the allocator
     *         (it may stand for connections held): callers count it at the whole capacity until rewritten.
     */
    static Quota readQuota(String id, long modRevision, String json) {
        Map<?, ?> m = object(json);
        if (m == null || !(m.get("grant") instanceof BigInteger)) {
            return null;
        }
        return new Quota(id, num(m, "member_rev", 0), (int) num(m, "grant", 0), (int) num(m, "bound", 0), modRevision);
    }

    /** @return a string-keyed map of a JSON object, or {@code null} */
    static Map<?, ?> object(String json) {
        try {
            return Json.parse(json) instanceof Map<?, ?> m ? m : null;
        } catch (Json.ParseException e) {
            return null;
        }
    }

    static long num(Map<?, ?> m, String key, long dflt) {
        return m.get(key) instanceof BigInteger b && b.bitLength() < 63 ? b.longValue() : dflt;
    }

    static String str(Map<?, ?> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }
}
