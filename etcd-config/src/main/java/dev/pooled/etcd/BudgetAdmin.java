package dev.pooled.etcd;

import dev.pooled.etcd.internal.BudgetCodec;
import dev.pooled.etcd.internal.BudgetSpec;
import dev.pooled.etcd.internal.EtcdClients;
import dev.pooled.etcd.internal.Json;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code pooledctl budget get|set|show} does: read and write a global budget's record, and show its shares
 * (every member's demand, holdings, grant and quota, the allocator and its totals). Each call is bounded by the
 * settings' timeout. Not thread-safe; one per command.
 *
 * @since 0.1.0
 */
public final class BudgetAdmin implements AutoCloseable {
    private final EtcdSettings settings;
    private final EtcdClients.Handle etcd;

    /** @param settings how to reach etcd */
    public BudgetAdmin(EtcdSettings settings) {
        this.settings = settings;
        this.etcd = EtcdClients.acquire(settings);
    }

    private String prefix(String budget) {
        return settings.keys().budgetPrefix(budget);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /**
     * @param budget the budget's name
     * @return {@code record} (or {@code null}) and its {@code revision} (0 = none)
     */
    public Map<String, Object> get(String budget) throws ConfigAdmin.EtcdException {
        List<KeyValue> kvs = await(etcd.client().getKVClient().get(bytes(prefix(budget) + "record"))).getKvs();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budget", budget);
        m.put("revision", kvs.isEmpty() ? 0L : kvs.get(0).getModRevision());
        m.put("record", kvs.isEmpty() ? null : parse(kvs.get(0).getValue().toString(StandardCharsets.UTF_8)));
        return m;
    }

    /**
     * Writes a record from {@code key=value} fields, checked whole first.
     *
     * @param budget the budget's name
     * @param fields {@code max_connections=…} and the others of {@link BudgetSpec}
     * @param revision write only if the record is still at this revision (0 = absent); negative = unconditionally
     * @return the new revision
     * @throws IllegalArgumentException naming every bad field, its value and the rule
     * @throws ConfigAdmin.ConflictException if the record moved since {@code revision}
     */
    public long set(String budget, List<String> fields, long revision)
            throws ConfigAdmin.EtcdException, ConfigAdmin.ConflictException {
        Map<String, Object> doc = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (String f : fields) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                bad.add("'" + f + "': must be key=value");
                continue;
            }
            String k = f.substring(0, eq);
            String v = f.substring(eq + 1);
            if (k.equals(BudgetSpec.RESPECT_DATABASE)) {
                if (!v.equals("true") && !v.equals("false")) {
                    bad.add(k + "=" + v + ": must be true or false");
                }
                doc.put(k, Boolean.parseBoolean(v));
            } else {
                try {
                    doc.put(k, Long.parseLong(v));
                } catch (NumberFormatException e) {
                    bad.add(k + "=" + v + ": must be an integer");
                }
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("invalid budget record: " + String.join("; ", bad));
        }
        BudgetSpec spec = BudgetCodec.parseRecord(Json.write(doc, false));
        ByteSequence key = bytes(prefix(budget) + "record");
        ByteSequence value = bytes(BudgetCodec.writeRecord(spec));
        if (revision < 0) {
            return await(etcd.client().getKVClient().put(key, value)).getHeader().getRevision();
        }
        TxnResponse r = await(etcd.client().getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(revision)))
                .Then(Op.put(key, value, PutOption.DEFAULT)).Else(Op.get(key, GetOption.DEFAULT)).commit());
        if (!r.isSucceeded()) {
            List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
            long actual = kvs.isEmpty() ? 0 : kvs.get(0).getModRevision();
            throw new ConfigAdmin.ConflictException(prefix(budget) + "record is at revision " + actual + ", not "
                    + revision + " as given; run budget get, check it, and pass --revision " + actual);
        }
        return r.getHeader().getRevision();
    }

    /**
     * @param budget the budget's name
     * @return the record, the allocator and its status, and one row per member (instance, pool, priority, demand,
     *         held, grant, quota)
     */
    public Map<String, Object> show(String budget) throws ConfigAdmin.EtcdException {
        GetOption all = GetOption.builder().isPrefix(true).build();
        List<KeyValue> kvs = await(etcd.client().getKVClient().get(bytes(prefix(budget)), all)).getKvs();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("budget", budget);
        Map<String, Map<String, Object>> members = new java.util.TreeMap<>();
        Map<String, Object> quotas = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix(budget).length());
            Object v = parse(kv.getValue().toString(StandardCharsets.UTF_8));
            if (rest.equals("record") || rest.equals("allocator") || rest.equals("status")) {
                out.put(rest, v);
            } else if (rest.startsWith("members/") && v instanceof Map<?, ?> m) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    row.put(String.valueOf(e.getKey()), e.getValue());
                }
                members.put(rest.substring("members/".length()), row);
            } else if (rest.startsWith("quota/") && v instanceof Map<?, ?> m) {
                quotas.put(rest.substring("quota/".length()), m.get("grant"));
            }
        }
        for (Map.Entry<String, Map<String, Object>> e : members.entrySet()) {
            e.getValue().put("quota", quotas.remove(e.getKey()));
        }
        out.put("members", members);
        // Quotas of members that are gone: counted for their grace, then deleted by the allocator.
        out.put("departed", quotas);
        return out;
    }

    /** @return {@link #show} as a table */
    static String showText(Map<String, Object> s) {
        StringBuilder t = new StringBuilder();
        t.append("budget ").append(s.get("budget")).append(": record ").append(s.get("record") == null ? "(none)"
                : Json.write(s.get("record"), false)).append('\n');
        t.append("allocator: ").append(s.get("allocator") == null ? "(none elected)"
                : ((Map<?, ?>) s.get("allocator")).get("instance")).append('\n');
        if (s.get("status") instanceof Map<?, ?> st) {
            t.append(String.format("capacity %s (%s), reserved %s, granted %s, members %s, departed %s%n",
                    st.get("capacity"), st.get("capacity_reason"), st.get("reserved"), st.get("granted"),
                    st.get("members"), st.get("departed")));
        }
        t.append(String.format("%-24s %-28s %-24s %4s %6s %4s %5s %5s%n", "MEMBER", "INSTANCE", "POOL", "PRIO",
                "DEMAND", "HELD", "GRANT", "QUOTA"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> members = (Map<String, Map<String, Object>>) s.get("members");
        for (Map.Entry<String, Map<String, Object>> e : members.entrySet()) {
            Map<String, Object> m = e.getValue();
            t.append(String.format("%-24s %-28s %-24s %4s %6s %4s %5s %5s%n", e.getKey(), m.get("instance"),
                    m.get("pool"), m.get("priority"), m.get("demand"), m.get("held"), m.get("grant"),
                    m.get("quota") == null ? "-" : m.get("quota")));
        }
        return t.toString().stripTrailing();
    }

    private static Object parse(String s) {
        try {
            return Json.parse(s);
        } catch (Json.ParseException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private <T> T await(CompletableFuture<T> f) throws ConfigAdmin.EtcdException {
        try {
            return f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigAdmin.EtcdException("interrupted", e);
        } catch (TimeoutException e) {
            throw new ConfigAdmin.EtcdException("etcd at " + settings.endpointsText() + " did not answer within "
                    + settings.timeout().toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new ConfigAdmin.EtcdException("etcd at " + settings.endpointsText() + " failed: " + c.getMessage(),
                    c);
        }
    }

    @Override
    public void close() {
        etcd.close();
    }

    @Override
    public String toString() {
        return "BudgetAdmin[" + settings.endpointsText() + "]";
    }
}
