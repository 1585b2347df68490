package dev.pooled.etcd;

import dev.pooled.PoolConfig;
import dev.pooled.PoolConfigException;
import dev.pooled.etcd.internal.Json;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pool's config record: the JSON object at {@code <ns>/pooled/v1/config/<service>/<db_role>}. Immutable.
 *
 * <pre>{@code
 * {"max_connections": 20, "max_queue": 100, "timeout_ms": 2000, "priority": 5,
 *  "password_ref": "file:/run/secrets/orders-db", "rotation": 3}
 * }</pre>
 *
 * <p>Fields are the pool settings by their documented names ({@link PoolConfig#KEYS}) plus the record's own:
 * {@value #PASSWORD_REF}, {@value #PASSWORD} (only where the pool allows plaintext, see
 * {@link EtcdSettings#ALLOW_PLAINTEXT_PASSWORD}), {@value #ROTATION}, {@value #TLS_FILES} and {@value #COMMENT}.
 * Each setting has the JSON type of its value: numbers for counts and milliseconds, {@code true}/{@code false} for
 * switches, strings for the rest. {@code service} and {@code db_role} come from the key; a record may repeat them
 * only with the same values. Settings that cannot change while a pool runs ({@link #NOT_LIVE}) are refused.
 *
 * <p>Validation is the library's own: {@link #applyTo(PoolConfig)} feeds every setting to
 * {@link PoolConfig.Builder#set(String, String)}, so a record obeys exactly the rules of a URL. {@code pooledctl
 * validate} runs the same code.
 *
 * @since 0.1.0
 */
public final class ConfigRecord {
    /** {@code env:NAME} or {@code file:/path}: where the pool reads its database password. */
    public static final String PASSWORD_REF = "password_ref";
    /** A plaintext database password; refused unless the pool sets {@code pooled.etcd.allow_plaintext_password}. */
    public static final String PASSWORD = "password";
    /** A whole number from 0; raising it makes every instance re-read its credential and roll its connections. */
    public static final String ROTATION = "rotation";
    /** Absolute paths of files the physical connections read (TLS certificates, keys); a change rolls them. */
    public static final String TLS_FILES = "tls_files";
    /** Free text for operators (why the change); ignored by pools. */
    public static final String COMMENT = "comment";
    /** The record's own fields, beside the pool settings. */
    public static final List<String> RECORD_FIELDS = List.of(PASSWORD_REF, PASSWORD, ROTATION, TLS_FILES, COMMENT);
    /** Pool settings a record may not carry: they cannot change while a pool runs (set them in the URL). */
    public static final Set<String> NOT_LIVE = Set.of(PoolConfig.MODE);

    private static final Map<String, String> TYPES = types();

    private final String service;
    private final String dbRole;
    private final Map<String, String> settings;
    private final SecretRef passwordRef;
    private final String password;
    private final long rotation;
    private final List<Path> tlsFiles;
    private final String comment;

    private ConfigRecord(String service, String dbRole, Map<String, String> settings, SecretRef passwordRef,
            String password, long rotation, List<Path> tlsFiles, String comment) {
        this.service = service;
        this.dbRole = dbRole;
        this.settings = Map.copyOf(settings);
        this.passwordRef = passwordRef;
        this.password = password;
        this.rotation = rotation;
        this.tlsFiles = List.copyOf(tlsFiles);
        this.comment = comment;
    }

    /** Why a record was refused; the tag value of {@code pooled.config.rejected}. */
    public enum Reason {
        /** Not one JSON object. */
        BAD_JSON("bad_json"),
        /** A field that is neither a pool setting nor a record field. */
        UNKNOWN_FIELD("unknown_field"),
        /** A field of the wrong JSON type (a string where a number belongs, ...). */
        BAD_TYPE("bad_type"),
        /** A value outside its allowed range, or settings that contradict each other. */
        OUT_OF_RANGE("out_of_range"),
        /** A setting that cannot change while the pool runs. */
        NOT_LIVE("not_live"),
        /** The running pool refused the change. */
        CONFLICT("conflict"),
        /** The credential is refused (plaintext not allowed) or cannot be read. */
        CREDENTIAL("credential");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        /** @return the metric tag value */
        public String tag() {
            return tag;
        }
    }

    /**
     * A refused record: the first reason (in the order of {@link Reason}) and every violation found.
     *
     * @since 0.1.0
     */
    public static final class RecordException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Reason reason;
        private final transient List<PoolConfigException.Violation> violations;

        RecordException(Reason reason, List<PoolConfigException.Violation> violations) {
            super(reason.tag() + ": " + describe(violations));
            this.reason = reason;
            this.violations = List.copyOf(violations);
        }

        /** @return why, as a metric tag */
        public Reason reason() {
            return reason;
        }

        /** @return every violation: field, value (never a password) and rule */
        public List<PoolConfigException.Violation> violations() {
            return violations;
        }

        private static String describe(List<PoolConfigException.Violation> v) {
            List<String> parts = new ArrayList<>();
            for (PoolConfigException.Violation x : v) {
                parts.add(x.describe(""));
            }
            return String.join("; ", parts);
        }
    }

    /**
     * @param reason why
     * @param violations what
     * @return a refusal, for code that checks records outside this class (rollouts, the running pool)
     */
    public static RecordException recordException(Reason reason, List<PoolConfigException.Violation> violations) {
        return new RecordException(reason, violations);
    }

    /**
     * Parses and checks a record's fields and types (not yet the ranges: see {@link #applyTo(PoolConfig)}).
     *
     * @param service the service of the key
     * @param dbRole the db_role of the key
     * @param json the record
     * @param allowPlaintextPassword whether a {@value #PASSWORD} field is allowed
     * @return the record
     * @throws RecordException naming every bad field
     */
    public static ConfigRecord parse(String service, String dbRole, String json, boolean allowPlaintextPassword)
            throws RecordException {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (Json.ParseException e) {
            throw new RecordException(Reason.BAD_JSON, List.of(new PoolConfigException.Violation("record",
                    json.length() + " characters", "is not valid JSON: " + e.getMessage())));
        }
        if (!(doc instanceof Map<?, ?> fields)) {
            throw new RecordException(Reason.BAD_JSON, List.of(new PoolConfigException.Violation("record",
                    json.length() + " characters", "must be a JSON object of settings, like {\"max_connections\": 20}")));
        }
        Map<Reason, List<PoolConfigException.Violation>> bad = new LinkedHashMap<>();
        Map<String, String> settings = new LinkedHashMap<>();
        SecretRef ref = null;
        String password = null;
        long rotation = 0;
        List<Path> tls = new ArrayList<>();
        String comment = null;
        for (Map.Entry<?, ?> e : fields.entrySet()) {
            String k = (String) e.getKey();
            Object v = e.getValue();
            if (TYPES.containsKey(k)) {
                if (NOT_LIVE.contains(k)) {
                    add(bad, Reason.NOT_LIVE, k, text(v), "cannot change while a pool runs; set pooled." + k
                            + " in the pool's URL or properties instead");
                    continue;
                }
                String type = TYPES.get(k);
                String t = typed(type, v);
                if (t == null) {
                    add(bad, Reason.BAD_TYPE, k, text(v), "must be a JSON " + type);
                } else if ((k.equals(PoolConfig.SERVICE) && !t.equals(service))
                        || (k.equals(PoolConfig.DB_ROLE) && !t.equals(dbRole))) {
                    add(bad, Reason.OUT_OF_RANGE, k, t, "must match the record's key ("
                            + (k.equals(PoolConfig.SERVICE) ? service : dbRole) + ") or be left out");
                } else {
                    settings.put(k, t);
                }
                continue;
            }
            switch (k) {
                case PASSWORD_REF -> {
                    if (!(v instanceof String s)) {
                        add(bad, Reason.BAD_TYPE, k, text(v), "must be a JSON string");
                    } else {
                        try {
                            ref = SecretRef.parse(k, s);
                        } catch (PoolConfigException ex) {
                            bad.computeIfAbsent(Reason.OUT_OF_RANGE, r -> new ArrayList<>()).addAll(ex.violations());
                        }
                    }
                }
                case PASSWORD -> {
                    if (!allowPlaintextPassword) {
                        add(bad, Reason.CREDENTIAL, k, "****", "a plaintext password is not allowed in etcd; use"
                                + " password_ref (env:NAME or file:/path), or set pooled.etcd.allow_plaintext_password"
                                + "=true on the pools");
                    } else if (!(v instanceof String s)) {
                        add(bad, Reason.BAD_TYPE, k, "****", "must be a JSON string");
                    } else {
                        password = s;
                    }
                }
                case ROTATION -> {
                    if (!(v instanceof BigInteger i)) {
                        add(bad, Reason.BAD_TYPE, k, text(v), "must be a JSON whole number");
                    } else if (i.signum() < 0 || i.bitLength() > 62) {
                        add(bad, Reason.OUT_OF_RANGE, k, i.toString(), "must be from 0 to 2^62");
                    } else {
                        rotation = i.longValue();
                    }
                }
                case TLS_FILES -> {
                    if (!(v instanceof List<?> l) || !l.stream().allMatch(x -> x instanceof String)) {
                        add(bad, Reason.BAD_TYPE, k, text(v), "must be a JSON array of file paths");
                    } else {
                        for (Object o : l) {
                            Path p = Path.of((String) o);
                            if (!p.isAbsolute()) {
                                add(bad, Reason.OUT_OF_RANGE, k, (String) o, "must be absolute paths");
                            }
                            tls.add(p);
                        }
                    }
                }
                case COMMENT -> {
                    if (!(v instanceof String s)) {
                        add(bad, Reason.BAD_TYPE, k, text(v), "must be a JSON string");
                    } else {
                        comment = s;
                    }
                }
                default -> add(bad, Reason.UNKNOWN_FIELD, safe(k), null, "is not a pool setting nor a record field;"
                        + " known: " + String.join(", ", fieldNames()));
            }
        }
        if (ref != null && password != null) {
            add(bad, Reason.CREDENTIAL, PASSWORD, "****", "give password or password_ref, not both");
        }
        if (!bad.isEmpty()) {
            List<PoolConfigException.Violation> all = new ArrayList<>();
            bad.values().forEach(all::addAll);
            Reason first = null;
            for (Reason r : Reason.values()) {
                if (first == null && bad.containsKey(r)) {
                    first = r;
                }
            }
            throw new RecordException(first, all);
        }
        return new ConfigRecord(service, dbRole, settings, ref, password, rotation, tls, comment);
    }

    /**
     * Applies the record over a pool's own settings: the record's settings win, the rest keep their values.
     *
     * @param base the config from the pool's URL, properties or builder
     * @return the config the pool runs with this record
     * @throws RecordException ({@link Reason#OUT_OF_RANGE}) naming every value {@link PoolConfig.Builder#build()}
     *         refuses
     */
    public PoolConfig applyTo(PoolConfig base) throws RecordException {
        // Rebuild from the base's settings as text rather than toBuilder(): a min_idle the base only derived from
        // max_connections (all of it under sizing=fixed) must follow the record's max_connections, not stay frozen.
        Map<String, String> from = new LinkedHashMap<>(base.asMap());
        if (!settings.containsKey(PoolConfig.MIN_IDLE) && base.minIdle() == derivedMinIdle(base)) {
            from.remove(PoolConfig.MIN_IDLE);
        }
        PoolConfig.Builder b = PoolConfig.builder();
        from.forEach(b::set);
        settings.forEach(b::set);
        try {
            return b.build();
        } catch (PoolConfigException e) {
            throw new RecordException(Reason.OUT_OF_RANGE, e.violations());
        }
    }

    private static int derivedMinIdle(PoolConfig c) {
        return c.sizing() == dev.pooled.SizingMode.FIXED ? c.maxConnections()
                : Math.min(PoolConfig.DEFAULT_AUTOSIZED_MIN_IDLE, c.maxConnections());
    }

    /**
     * Checks a record offline with the pool's rules, against default settings for what it leaves out.
     *
     * @param service the key's service
     * @param dbRole the key's db_role
     * @param json the record
     * @param allowPlaintextPassword whether a {@value #PASSWORD} field is allowed
     * @return the record
     * @throws RecordException naming every problem
     */
    public static ConfigRecord validate(String service, String dbRole, String json, boolean allowPlaintextPassword)
            throws RecordException {
        ConfigRecord r = parse(service, dbRole, json, allowPlaintextPassword);
        r.applyTo(PoolConfig.builder().service(service).dbRole(dbRole).build());
        return r;
    }

    /** @return the pool settings the record names, as text by external name */
    public Map<String, String> settings() {
        return settings;
    }

    /** @return where the password is read from, or {@code null} */
    public SecretRef passwordRef() {
        return passwordRef;
    }

    /** @return the plaintext password, or {@code null}; never log it */
    public String password() {
        return password;
    }

    /** @return the rotation generation, 0 when absent */
    public long rotation() {
        return rotation;
    }

    /** @return files whose change rolls the physical connections */
    public List<Path> tlsFiles() {
        return tlsFiles;
    }

    /** @return the operator's comment, or {@code null} */
    public String comment() {
        return comment;
    }

    /** @return the service of the record's key */
    public String service() {
        return service;
    }

    /** @return the db_role of the record's key */
    public String dbRole() {
        return dbRole;
    }

    /** @return every field name a record may carry, pool settings first */
    public static List<String> fieldNames() {
        List<String> all = new ArrayList<>();
        for (String k : PoolConfig.KEYS) {
            if (!NOT_LIVE.contains(k)) {
                all.add(k);
            }
        }
        all.addAll(RECORD_FIELDS);
        return all;
    }

    /** @return the JSON type a pool setting takes in a record: {@code number}, {@code boolean} or {@code string} */
    public static String typeOf(String key) {
        return TYPES.get(key);
    }

    private static Map<String, String> types() {
        // A setting's JSON type is the type of its default: new settings of PoolConfig need no change here.
        Map<String, String> m = new LinkedHashMap<>();
        Map<String, String> defaults = PoolConfig.ofDefaults().asMap();
        for (String k : PoolConfig.KEYS) {
            String d = defaults.get(k);
            m.put(k, d != null && d.matches("-?[0-9]+") ? "number"
                    : "true".equals(d) || "false".equals(d) ? "boolean" : "string");
        }
        return m;
    }

    private static String typed(String type, Object v) {
        return switch (type) {
            case "number" -> v instanceof BigInteger i ? i.toString() : null;
            case "boolean" -> v instanceof Boolean b ? b.toString() : null;
            default -> v instanceof String s ? s : null;
        };
    }

    private static String text(Object v) {
        if (v instanceof String s) {
            return "\"" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "\"";
        }
        if (v instanceof Map || v instanceof List) {
            return v instanceof Map ? "{...}" : "[...]";
        }
        return String.valueOf(v);
    }

    /** Field names come from an operator; keep a hostile one from reaching logs unbounded or with control bytes. */
    private static String safe(String k) {
        String s = k.length() > 64 ? k.substring(0, 64) + "..." : k;
        return s.replaceAll("[^\\x20-\\x7E]", "?");
    }

    private static void add(Map<Reason, List<PoolConfigException.Violation>> bad, Reason r, String key, String value,
            String rule) {
        bad.computeIfAbsent(r, x -> new ArrayList<>()).add(new PoolConfigException.Violation(key, value, rule));
    }

    /** @return the record as JSON, settings first; the password masked */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        settings.forEach((k, v) -> m.put(k, "number".equals(TYPES.get(k)) ? new BigInteger(v)
                : "boolean".equals(TYPES.get(k)) ? (Object) Boolean.valueOf(v) : v));
        if (passwordRef != null) {
            m.put(PASSWORD_REF, passwordRef.ref());
        }
        if (password != null) {
            m.put(PASSWORD, "****");
        }
        if (rotation != 0) {
            m.put(ROTATION, rotation);
        }
        if (!tlsFiles.isEmpty()) {
            m.put(TLS_FILES, tlsFiles.stream().map(Path::toString).toList());
        }
        if (comment != null) {
            m.put(COMMENT, comment);
        }
        return Json.write(m, false);
    }

    @Override
    public String toString() {
        return "ConfigRecord[" + service + "/" + dbRole + " " + toJson() + "]";
    }
}
