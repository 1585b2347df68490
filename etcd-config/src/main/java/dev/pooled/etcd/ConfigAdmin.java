package dev.pooled.etcd;

import dev.pooled.PoolConfig;
import dev.pooled.etcd.internal.Json;
import dev.pooled.etcd.internal.Rollout;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operator's side of config records, as {@code pooledctl} uses it: read, write with compare-and-swap, stage a
 * change to a share of the instances, promote or roll it back, list history and live instances. Every write
 * checks the record with the pools' own rules first ({@link ConfigRecord#validate}) and is one etcd transaction
 * guarded by the revisions the caller saw, so two operators cannot overwrite each other unseen.
 *
 * <p>Versions are etcd mod revisions: the one a pool reports as its applied version, and the one {@link #get}
 * shows. Thread-safe; holds its own client until {@link #close()}.
 *
 * @since 0.1.0
 */
public final class ConfigAdmin implements AutoCloseable {
    private final EtcdSettings settings;
    private final EtcdKeys keys;
    private final Client client;

    /** @param settings how to reach etcd */
    public ConfigAdmin(EtcdSettings settings) {
        this.settings = settings;
        this.keys = settings.keys();
        this.client = settings.newClient();
    }

    /** A write that lost a race: the record (or rollout) is not at the revision the caller saw. */
    public static final class ConflictException extends Exception {
        private static final long serialVersionUID = 1L;

        ConflictException(String message) {
            super(message);
        }
    }

    /** An operation that does not apply now (nothing staged to promote, nothing to roll back to, ...). */
    public static final class StateException extends Exception {
        private static final long serialVersionUID = 1L;

        StateException(String message) {
            super(message);
        }
    }

    /**
     * What etcd holds for one pool.
     *
     * @param key the record key
     * @param record the record's JSON, or {@code null} when there is none (pools run on their own settings)
     * @param version the record's mod revision, 0 when there is none; give it to {@link #set} to replace it
     * @param rollout the staged candidate, or {@code null}
     * @param rolloutVersion the rollout key's mod revision, 0 when nothing is staged
     */
    public record Snapshot(String key, String record, long version, Rollout rollout, long rolloutVersion) {
    }

    /**
     * One replaced record.
     *
     * @param version the mod revision the record had while in force
     * @param record its JSON, or {@code null} when there was no record (pools ran on their own settings)
     * @param replacedMillis when it was replaced (wall clock of the writer)
     * @param by {@code set}, {@code promote} or {@code rollback}
     */
    public record HistoryEntry(long version, String record, long replacedMillis, String by) {
    }

    /**
     * @return the record and any staged rollout, read in one transaction
     * @throws EtcdException if etcd cannot be read in time
     */
    public Snapshot get(String service, String dbRole) throws EtcdException {
        String key = keys.config(service, dbRole);
        TxnResponse r = await(client.getKVClient().txn()
                .Then(Op.get(bytes(key), GetOption.DEFAULT),
                        Op.get(bytes(keys.rollout(service, dbRole)), GetOption.DEFAULT))
                .commit());
        KeyValue rec = first(r, 0);
        KeyValue staged = first(r, 1);
        Rollout rollout = null;
        if (staged != null) {
            try {
                rollout = Rollout.parse(text(staged));
            } catch (ConfigRecord.RecordException e) {
                throw new EtcdException("the rollout key " + keys.rollout(service, dbRole) + " holds no valid rollout ("
                        + e.getMessage() + "); delete it with etcdctl or run rollback", null);
            }
        }
        return new Snapshot(key, rec == null ? null : text(rec), rec == null ? 0 : rec.getModRevision(), rollout,
                staged == null ? 0 : staged.getModRevision());
    }

    /**
     * Replaces the record, if it is still at {@code expectedVersion}, and keeps the replaced one in history.
     *
     * @param json the new record
     * @param expectedVersion the version {@link #get} showed; 0 when there must be no record yet
     * @param allowPlaintextPassword whether the record may carry a plaintext password
     * @return the new record's version
     * @throws ConfigRecord.RecordException if the record breaks the pools' rules (nothing is written)
     * @throws ConflictException if the record changed since {@code expectedVersion}
     * @throws StateException if a rollout is staged (promote or roll it back first)
     */
    public long set(String service, String dbRole, String json, long expectedVersion, boolean allowPlaintextPassword)
            throws ConfigRecord.RecordException, ConflictException, StateException, EtcdException {
        ConfigRecord rec = ConfigRecord.validate(service, dbRole, json, allowPlaintextPassword);
        Snapshot now = get(service, dbRole);
        if (now.rollout() != null) {
            throw new StateException("a rollout is staged for " + service + "/" + dbRole + " (" + now.rollout().percent()
                    + " %); promote or roll it back before setting the record");
        }
        if (now.version() != expectedVersion) {
            throw conflict(now.key(), expectedVersion, now.version());
        }
        return replace(service, dbRole, normalized(rec, json), now, "set", List.of(
                new Cmp(bytes(keys.rollout(service, dbRole)), Cmp.Op.EQUAL, CmpTarget.version(0))));
    }

    /**
     * Stages a candidate record for a share of the instances ({@link InstanceId#inStage(int)}), or changes the
     * share of the staged one.
     *
     * @param json the candidate, or {@code null} to keep the staged candidate and change its percentage only
     * @param percent 0 to 100
     * @param expectedVersion the record's version the candidate is meant to replace ({@link #get}); ignored when
     *        only the percentage changes
     * @return the rollout key's new version (what staged instances report as applied)
     */
    public long stage(String service, String dbRole, String json, int percent, long expectedVersion,
            boolean allowPlaintextPassword)
            throws ConfigRecord.RecordException, ConflictException, StateException, EtcdException {
        if (percent < 0 || percent > 100) {
            throw Rollout.RecordErrors.of(ConfigRecord.Reason.OUT_OF_RANGE, "percent", Integer.toString(percent),
                    "must be a whole number from 0 to 100");
        }
        Snapshot now = get(service, dbRole);
        String candidate;
        long base;
        if (json == null) {
            if (now.rollout() == null) {
                throw new StateException("nothing is staged for " + service + "/" + dbRole
                        + "; give a record to stage");
            }
            candidate = now.rollout().recordJson();
            base = now.rollout().baseVersion();
        } else {
            ConfigRecord rec = ConfigRecord.validate(service, dbRole, json, allowPlaintextPassword);
            if (now.version() != expectedVersion) {
                throw conflict(now.key(), expectedVersion, now.version());
            }
            candidate = normalized(rec, json);
            base = now.version();
        }
        String rolloutKey = keys.rollout(service, dbRole);
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(bytes(now.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(now.version())),
                        new Cmp(bytes(rolloutKey), Cmp.Op.EQUAL, CmpTarget.modRevision(now.rolloutVersion())))
                .Then(Op.put(bytes(rolloutKey), bytes(new Rollout(percent, candidate, base).toJson()), PutOption.DEFAULT))
                .commit());
        if (!r.isSucceeded()) {
            throw new ConflictException(now.key() + " or its rollout changed while staging; run get and try again");
        }
        return r.getPutResponses().get(0).getHeader().getRevision();
    }

    /**
     * Makes the staged candidate the record of every instance; the replaced record goes to history.
     *
     * @return the new record's version
     * @throws StateException if nothing is staged
     * @throws ConflictException if the record changed since the candidate was staged
     */
    public long promote(String service, String dbRole) throws ConflictException, StateException, EtcdException {
        Snapshot now = get(service, dbRole);
        if (now.rollout() == null) {
            throw new StateException("nothing is staged for " + service + "/" + dbRole + "; stage a record first");
        }
        if (now.rollout().baseVersion() != now.version()) {
            throw new ConflictException("the record of " + service + "/" + dbRole + " changed (version "
                    + now.version() + ") since the candidate was staged on version " + now.rollout().baseVersion()
                    + "; roll the rollout back and stage again");
        }
        String rolloutKey = keys.rollout(service, dbRole);
        return replace(service, dbRole, now.rollout().recordJson(), now, "promote", List.of(
                new Cmp(bytes(rolloutKey), Cmp.Op.EQUAL, CmpTarget.modRevision(now.rolloutVersion()))),
                Op.delete(bytes(rolloutKey), DeleteOption.DEFAULT));
    }

    /**
     * Undoes the last step: a staged rollout is withdrawn (every instance back on the record); with nothing staged,
     * the record goes back to the one it replaced (the newest history entry, which is removed), or is deleted if
     * there was none before it (pools go back to their own settings).
     *
     * @return the version in force for all instances afterwards (0 = pools' own settings)
     * @throws StateException if there is nothing to roll back to
     */
    public long rollback(String service, String dbRole) throws ConflictException, StateException, EtcdException {
        Snapshot now = get(service, dbRole);
        String rolloutKey = keys.rollout(service, dbRole);
        if (now.rolloutVersion() != 0) {
            TxnResponse r = await(client.getKVClient().txn()
                    .If(new Cmp(bytes(rolloutKey), Cmp.Op.EQUAL, CmpTarget.modRevision(now.rolloutVersion())))
                    .Then(Op.delete(bytes(rolloutKey), DeleteOption.DEFAULT))
                    .commit());
            if (!r.isSucceeded()) {
                throw new ConflictException("the rollout of " + service + "/" + dbRole + " changed meanwhile; run get");
            }
            return now.version();
        }
        List<KeyValue> hist = historyKvs(service, dbRole);
        if (hist.isEmpty()) {
            throw new StateException("no earlier record of " + service + "/" + dbRole + " to roll back to");
        }
        KeyValue last = hist.get(hist.size() - 1);
        HistoryEntry previous = entry(last);
        Op restore = previous.record() == null ? Op.delete(bytes(now.key()), DeleteOption.DEFAULT)
                : Op.put(bytes(now.key()), bytes(previous.record()), PutOption.DEFAULT);
        TxnResponse r = await(client.getKVClient().txn()
                .If(new Cmp(bytes(now.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(now.version())),
                        new Cmp(bytes(rolloutKey), Cmp.Op.EQUAL, CmpTarget.version(0)),
                        new Cmp(last.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(last.getModRevision())))
                .Then(restore, Op.delete(last.getKey(), DeleteOption.DEFAULT))
                .commit());
        if (!r.isSucceeded()) {
            throw new ConflictException(now.key() + " changed during the rollback; run get and try again");
        }
        return previous.record() == null ? 0 : r.getHeader().getRevision();
    }

    /** @return the records replaced so far, oldest first */
    public List<HistoryEntry> history(String service, String dbRole) throws EtcdException {
        List<HistoryEntry> out = new ArrayList<>();
        for (KeyValue kv : historyKvs(service, dbRole)) {
            out.add(entry(kv));
        }
        return out;
    }

    /** @return each live instance's report (its lease-bound key's JSON), by instance id */
    public Map<String, Map<String, Object>> instances(String service) throws EtcdException {
        List<KeyValue> kvs = await(client.getKVClient().get(bytes(keys.instancesPrefix(service)),
                GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY).build())).getKvs();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        String prefix = keys.instancesPrefix(service);
        for (KeyValue kv : kvs) {
            String id = kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
            try {
                Object doc = Json.parse(text(kv));
                if (doc instanceof Map<?, ?> m) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    m.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    out.put(id, copy);
                }
            } catch (Json.ParseException e) {
                out.put(id, Map.of("error", "unreadable report: " + e.getMessage()));
            }
        }
        return out;
    }

    /**
     * One field that differs between two records.
     *
     * @param field the field name
     * @param current its value in the record in force ({@code null} when absent)
     * @param proposed its value in the proposed record ({@code null} when absent)
     */
    public record Change(String field, String current, String proposed) {
    }

    /**
     * @param currentJson the record in force, or {@code null}
     * @param proposedJson a proposed record
     * @return the fields that differ, in field order; passwords shown as {@code ****}
     * @throws ConfigRecord.RecordException if the proposed record is invalid
     */
    public static List<Change> diff(String service, String dbRole, String currentJson, String proposedJson,
            boolean allowPlaintextPassword) throws ConfigRecord.RecordException {
        ConfigRecord proposed = ConfigRecord.validate(service, dbRole, proposedJson, allowPlaintextPassword);
        Map<String, String> a = currentJson == null ? Map.of() : fields(currentJson);
        Map<String, String> b = fields(proposed.toJson());
        TreeSet<String> names = new TreeSet<>((x, y) -> Integer.compare(order(x), order(y)) != 0
                ? Integer.compare(order(x), order(y)) : x.compareTo(y));
        names.addAll(a.keySet());
        names.addAll(b.keySet());
        List<Change> out = new ArrayList<>();
        for (String n : names) {
            if (!Objects.equals(a.get(n), b.get(n))) {
                out.add(new Change(n, a.get(n), b.get(n)));
            }
        }
        return out;
    }

    private static int order(String field) {
        int i = ConfigRecord.fieldNames().indexOf(field);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static Map<String, String> fields(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            if (Json.parse(json) instanceof Map<?, ?> doc) {
                doc.forEach((k, v) -> m.put(String.valueOf(k), k.equals(ConfigRecord.PASSWORD) ? "****"
                        : Json.write(v, false)));
            }
        } catch (Json.ParseException e) {
            m.put("record", "<invalid JSON>");
        }
        return m;
    }

    private long replace(String service, String dbRole, String json, Snapshot now, String by, List<Cmp> guards,
            Op... more) throws ConflictException, EtcdException {
        List<Cmp> cmps = new ArrayList<>(guards);
        cmps.add(new Cmp(bytes(now.key()), Cmp.Op.EQUAL, CmpTarget.modRevision(now.version())));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("version", now.version());
        entry.put("record", now.record());
        entry.put("replaced_ms", System.currentTimeMillis());
        entry.put("by", by);
        List<Op> ops = new ArrayList<>();
        ops.add(Op.put(bytes(now.key()), bytes(json), PutOption.DEFAULT));
        ops.add(Op.put(bytes(keys.history(service, dbRole, now.version())), bytes(Json.write(entry, false)),
                PutOption.DEFAULT));
        ops.addAll(List.of(more));
        TxnResponse r = await(client.getKVClient().txn().If(cmps.toArray(new Cmp[0])).Then(ops.toArray(new Op[0]))
                .commit());
        if (!r.isSucceeded()) {
            Snapshot after = get(service, dbRole);
            throw conflict(now.key(), now.version(), after.version());
        }
        return r.getPutResponses().get(0).getHeader().getRevision();
    }

    private List<KeyValue> historyKvs(String service, String dbRole) throws EtcdException {
        return await(client.getKVClient().get(bytes(keys.historyPrefix(service, dbRole)),
                GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.KEY)
                        .withSortOrder(GetOption.SortOrder.ASCEND).build())).getKvs();
    }

    private static HistoryEntry entry(KeyValue kv) throws EtcdException {
        try {
            Map<?, ?> m = (Map<?, ?>) Json.parse(text(kv));
            return new HistoryEntry(((Number) m.get("version")).longValue(), (String) m.get("record"),
                    ((Number) m.get("replaced_ms")).longValue(), (String) m.get("by"));
        } catch (Json.ParseException | ClassCastException | NullPointerException e) {
            throw new EtcdException("history entry " + kv.getKey().toString(StandardCharsets.UTF_8)
                    + " is unreadable", e);
        }
    }

    /** The record as written, re-serialized compactly when it parses (keeps operators' field order). */
    private static String normalized(ConfigRecord rec, String json) {
        try {
            return Json.write(Json.parse(json), false);
        } catch (Json.ParseException e) {
            throw new IllegalStateException("a validated record is JSON", e);
        }
    }

    private static ConflictException conflict(String key, long expected, long actual) {
        return new ConflictException(key + " is at version " + actual + ", not " + expected
                + " as given; run get, check the change, and pass --revision " + actual);
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> f) throws EtcdException {
        try {
            return f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdException("interrupted", e);
        } catch (TimeoutException e) {
            throw new EtcdException("etcd at " + settings.endpointsText() + " did not answer within "
                    + settings.timeout().toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new EtcdException("etcd at " + settings.endpointsText() + " failed: " + c.getMessage(), c);
        }
    }

    /** etcd could not be reached or answered with an error. */
    public static final class EtcdException extends Exception {
        private static final long serialVersionUID = 1L;

        EtcdException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static KeyValue first(TxnResponse r, int i) {
        List<KeyValue> kvs = r.getGetResponses().get(i).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    private static String text(KeyValue kv) {
        return kv.getValue().toString(StandardCharsets.UTF_8);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** @return the pool settings a record holds, applied over defaults (what validate checks) */
    static PoolConfig preview(String service, String dbRole, String json) throws ConfigRecord.RecordException {
        return ConfigRecord.parse(service, dbRole, json, true)
                .applyTo(PoolConfig.builder().service(service).dbRole(dbRole).build());
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "ConfigAdmin[" + settings.endpointsText() + keys.root() + "]";
    }
}
