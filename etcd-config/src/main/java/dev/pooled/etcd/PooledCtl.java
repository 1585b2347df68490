package dev.pooled.etcd;

import dev.pooled.PoolConfigException;
import dev.pooled.etcd.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pooledctl}: the command line for config records on etcd. {@code scripts/pooledctl} runs it; {@code --help}
 * lists the commands. Exit codes: {@value #OK} done, {@value #INVALID} record refused by the pools' rules,
 * {@value #USAGE} bad command line, {@value #CONFLICT} the record changed since the revision given,
 * {@value #STATE} the command does not apply now (nothing staged, nothing to roll back to), {@value #ETCD} etcd
 * unreachable or failing.
 *
 * @since 0.1.0
 */
public final class PooledCtl {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 2;
    public static final int CONFLICT = 3;
    public static final int STATE = 4;
    public static final int ETCD = 5;

    static final String HELP = """
            usage: pooledctl [options] <command> [arguments]

            Pool config records on etcd: <ns>/pooled/v1/config/<service>/<db_role> (see docs/etcd.md).

            commands:
              get <service> <db_role>                 the record, its revision and any staged rollout
              validate <service> <db_role> <file|->   check a record offline with the pools' own rules
              diff <service> <db_role> <file|->       fields a record would change against the one in force
              set <service> <db_role> <file|-> --revision N
                                                      write a record if the one in force is still at revision N
                                                      (the revision get shows; 0 = there is no record yet)
              stage <service> <db_role> <percent> [<file|-> --revision N]
                                                      run a candidate on <percent> % of the instances (by a stable
                                                      hash of instance_id); without a file: change the percentage
              promote <service> <db_role>             make the staged candidate the record of every instance
              rollback <service> <db_role>            withdraw the staged candidate, or restore the record before
                                                      the current one (none: pools use their own settings)
              history <service> <db_role>             the records replaced so far, oldest first
              instances <service>                     live instances: applied version, limit, in use, queue depth
              budget get <budget>                     a global budget's record and its revision
              budget set <budget> max_connections=N max_instances=N [reserve=N] [floor_per_instance=N]
                         [grace_ms=N] [respect_database=true|false] [--revision N]
                                                      write a budget record (checked whole first; with --revision,
                                                      only if the record is still at that revision)
              budget show <budget>                    shares per member: demand, held, grant, quota; allocator, totals

            options:
              --endpoints URLS        etcd endpoints (default: $POOLED_ETCD_ENDPOINTS or http://127.0.0.1:2379)
              --namespace NS          key namespace, such as /team-a (default: $POOLED_ETCD_NAMESPACE or none)
              --user USER             etcd user; with --password-ref env:NAME or file:/path
              --password-ref REF      where the etcd password is read from (never on the command line)
              --ca-file F, --cert-file F, --key-file F    TLS to etcd (https endpoints)
              --timeout-ms N          deadline of each etcd call (default 5000)
              --allow-plaintext-password   accept records with a plaintext "password" (pools must allow it too)
              --output text|json      json prints one JSON document on stdout, for scripts
              --help                  this text

            exit codes: 0 done, 1 record refused, 2 bad command line, 3 revision conflict, 4 not applicable now,
                        5 etcd unreachable or failing
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;

    PooledCtl(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
    }

    /** @param args the command line; exits with the command's code */
    public static void main(String[] args) {
        System.exit(new PooledCtl(System.out, System.err, System.in, System.getenv()).run(args));
    }

    /** Thrown for a bad command line. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * @param args the command line
     * @return the exit code
     */
    public int run(String... args) {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> pos = new ArrayList<>();
        boolean json = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    out.print(HELP);
                    return OK;
                } else if (a.equals("--allow-plaintext-password")) {
                    opts.put(a, "true");
                } else if (a.startsWith("--")) {
                    String name = a;
                    String value;
                    int eq = a.indexOf('=');
                    if (eq > 0) {
                        name = a.substring(0, eq);
                        value = a.substring(eq + 1);
                    } else {
                        if (i + 1 >= args.length) {
                            throw new UsageException(a + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (!List.of("--endpoints", "--namespace", "--user", "--password-ref", "--ca-file", "--cert-file",
                            "--key-file", "--timeout-ms", "--output", "--revision").contains(name)) {
                        throw new UsageException("unknown option " + name + " (see --help)");
                    }
                    opts.put(name, value);
                } else {
                    pos.add(a);
                }
            }
            String output = opts.getOrDefault("--output", "text");
            if (!output.equals("text") && !output.equals("json")) {
                throw new UsageException("--output must be text or json, not " + output);
            }
            json = output.equals("json");
            if (pos.isEmpty()) {
                throw new UsageException("no command given (see --help)");
            }
            return command(pos, opts, json);
        } catch (UsageException e) {
            return fail(json, USAGE, "usage", e.getMessage() + "\n(run pooledctl --help)", null);
        } catch (ConfigRecord.RecordException e) {
            return fail(json, INVALID, e.reason().tag(), "record refused: " + e.getMessage(), e.violations());
        } catch (PoolConfigException e) {
            return fail(json, USAGE, "usage", "bad etcd settings: " + e.describe("--"), null);
        } catch (ConfigAdmin.ConflictException e) {
            return fail(json, CONFLICT, "conflict", e.getMessage(), null);
        } catch (ConfigAdmin.StateException e) {
            return fail(json, STATE, "not_applicable", e.getMessage(), null);
        } catch (ConfigAdmin.EtcdException e) {
            return fail(json, ETCD, "etcd", e.getMessage(), null);
        } catch (IOException e) {
            return fail(json, USAGE, "usage", "cannot read the record: " + e.getMessage(), null);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return fail(json, USAGE, "usage", e.getMessage(), null);
        }
    }

    private int command(List<String> pos, Map<String, String> opts, boolean json)
            throws UsageException, IOException, ConfigRecord.RecordException, ConfigAdmin.ConflictException,
            ConfigAdmin.StateException, ConfigAdmin.EtcdException {
        String cmd = pos.get(0);
        boolean plaintext = opts.containsKey("--allow-plaintext-password");
        switch (cmd) {
            case "validate" -> {
                args(pos, 4, "validate <service> <db_role> <file|->");
                String rec = read(pos.get(3));
                ConfigRecord r = ConfigRecord.validate(pos.get(1), pos.get(2), rec, plaintext);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("valid", true);
                m.put("record", parseOrText(r.toJson()));
                m.put("over_defaults", new LinkedHashMap<>(ConfigAdmin.preview(pos.get(1), pos.get(2), rec).asMap()));
                print(json, m, "valid: " + r.toJson());
                return OK;
            }
            case "get" -> {
                args(pos, 3, "get <service> <db_role>");
                try (ConfigAdmin admin = admin(opts)) {
                    ConfigAdmin.Snapshot s = admin.get(pos.get(1), pos.get(2));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("key", s.key());
                    m.put("revision", s.version());
                    m.put("record", s.record() == null ? null : parseOrText(s.record()));
                    if (s.rollout() != null) {
                        Map<String, Object> r = new LinkedHashMap<>();
                        r.put("percent", s.rollout().percent());
                        r.put("revision", s.rolloutVersion());
                        r.put("base_revision", s.rollout().baseVersion());
                        r.put("record", parseOrText(s.rollout().recordJson()));
                        m.put("rollout", r);
                    }
                    StringBuilder t = new StringBuilder();
                    t.append(s.key()).append('\n');
                    t.append("revision: ").append(s.version()).append(s.record() == null
                            ? " (no record: pools run on their own settings)" : "").append('\n');
                    if (s.record() != null) {
                        t.append("record:   ").append(s.record()).append('\n');
                    }
                    if (s.rollout() != null) {
                        t.append("staged:   ").append(s.rollout().percent()).append(" % (revision ")
                                .append(s.rolloutVersion()).append(", on record revision ")
                                .append(s.rollout().baseVersion()).append("): ").append(s.rollout().recordJson())
                                .append('\n');
                    }
                    print(json, m, t.toString().stripTrailing());
                    return OK;
                }
            }
            case "diff" -> {
                args(pos, 4, "diff <service> <db_role> <file|->");
                String proposed = read(pos.get(3));
                try (ConfigAdmin admin = admin(opts)) {
                    ConfigAdmin.Snapshot s = admin.get(pos.get(1), pos.get(2));
                    List<ConfigAdmin.Change> changes = ConfigAdmin.diff(pos.get(1), pos.get(2), s.record(), proposed,
                            plaintext);
                    List<Object> list = new ArrayList<>();
                    StringBuilder t = new StringBuilder();
                    for (ConfigAdmin.Change c : changes) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("field", c.field());
                        m.put("current", c.current());
                        m.put("proposed", c.proposed());
                        list.add(m);
                        t.append(c.field()).append(": ").append(c.current() == null ? "(unset)" : c.current())
                                .append(" -> ").append(c.proposed() == null ? "(unset)" : c.proposed()).append('\n');
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("revision", s.version());
                    m.put("changes", list);
                    print(json, m, changes.isEmpty() ? "no changes against revision " + s.version()
                            : "against revision " + s.version() + ":\n" + t.toString().stripTrailing());
                    return OK;
                }
            }
            case "set" -> {
                args(pos, 4, "set <service> <db_role> <file|-> --revision N");
                long rev = revision(opts, "set");
                String rec = read(pos.get(3));
                try (ConfigAdmin admin = admin(opts)) {
                    long v = admin.set(pos.get(1), pos.get(2), rec, rev, plaintext);
                    print(json, Map.of("revision", v), "set " + pos.get(1) + "/" + pos.get(2) + ": revision " + v);
                    return OK;
                }
            }
            case "stage" -> {
                if (pos.size() != 4 && pos.size() != 5) {
                    throw new UsageException("usage: stage <service> <db_role> <percent> [<file|-> --revision N]");
                }
                int percent;
                try {
                    percent = Integer.parseInt(pos.get(3));
                } catch (NumberFormatException e) {
                    throw new UsageException("percent must be a whole number from 0 to 100, not " + pos.get(3));
                }
                String rec = pos.size() == 5 ? read(pos.get(4)) : null;
                long rev = rec == null ? 0 : revision(opts, "stage with a record");
                try (ConfigAdmin admin = admin(opts)) {
                    long v = admin.stage(pos.get(1), pos.get(2), rec, percent, rev, plaintext);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("revision", v);
                    m.put("percent", percent);
                    print(json, m, "staged " + pos.get(1) + "/" + pos.get(2) + " at " + percent + " %: revision " + v);
                    return OK;
                }
            }
            case "promote" -> {
                args(pos, 3, "promote <service> <db_role>");
                try (ConfigAdmin admin = admin(opts)) {
                    long v = admin.promote(pos.get(1), pos.get(2));
                    print(json, Map.of("revision", v), "promoted " + pos.get(1) + "/" + pos.get(2) + ": revision " + v);
                    return OK;
                }
            }
            case "rollback" -> {
                args(pos, 3, "rollback <service> <db_role>");
                try (ConfigAdmin admin = admin(opts)) {
                    long v = admin.rollback(pos.get(1), pos.get(2));
                    print(json, Map.of("revision", v), "rolled back " + pos.get(1) + "/" + pos.get(2) + ": "
                            + (v == 0 ? "no record (pools run on their own settings)" : "revision " + v));
                    return OK;
                }
            }
            case "history" -> {
                args(pos, 3, "history <service> <db_role>");
                try (ConfigAdmin admin = admin(opts)) {
                    List<Object> list = new ArrayList<>();
                    StringBuilder t = new StringBuilder();
                    for (ConfigAdmin.HistoryEntry h : admin.history(pos.get(1), pos.get(2))) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("revision", h.version());
                        m.put("record", h.record() == null ? null : parseOrText(h.record()));
                        m.put("replaced", Instant.ofEpochMilli(h.replacedMillis()).toString());
                        m.put("by", h.by());
                        list.add(m);
                        t.append(String.format("%-10d %-24s %-8s %s%n", h.version(),
                                Instant.ofEpochMilli(h.replacedMillis()), h.by(),
                                h.record() == null ? "(no record)" : h.record()));
                    }
                    print(json, Map.of("history", list), list.isEmpty() ? "no history"
                            : String.format("%-10s %-24s %-8s %s%n", "REVISION", "REPLACED", "BY", "RECORD")
                                    + t.toString().stripTrailing());
                    return OK;
                }
            }
            case "instances" -> {
                args(pos, 2, "instances <service>");
                try (ConfigAdmin admin = admin(opts)) {
                    Map<String, Map<String, Object>> all = admin.instances(pos.get(1));
                    StringBuilder t = new StringBuilder(String.format("%-28s %-8s %-9s %-8s %5s %6s %5s %-9s %8s %s%n",
                            "INSTANCE", "DB_ROLE", "VERSION", "SOURCE", "LIMIT", "IN_USE", "QUEUE", "BREAKER",
                            "ROTATION", "LAST_ERROR"));
                    for (Map.Entry<String, Map<String, Object>> e : all.entrySet()) {
                        Object pools = e.getValue().get("pools");
                        if (pools instanceof Map<?, ?> pm) {
                            for (Map.Entry<?, ?> p : pm.entrySet()) {
                                Map<?, ?> f = (Map<?, ?>) p.getValue();
                                t.append(String.format("%-28s %-8s %-9s %-8s %5s %6s %5s %-9s %8s %s%n", e.getKey(),
                                        p.getKey(), f.get("applied_version"), f.get("source"), f.get("limit"),
                                        f.get("in_use"), f.get("queue_depth"), f.get("breaker_state"),
                                        f.get("rotation"), f.get("last_error") == null ? "-" : f.get("last_error")));
                            }
                        }
                    }
                    print(json, Map.of("instances", all), all.isEmpty() ? "no live instance of " + pos.get(1)
                            : t.toString().stripTrailing());
                    return OK;
                }
            }
            case "budget" -> {
                return budget(pos, opts, json);
            }
            default -> throw new UsageException("unknown command " + cmd + " (see --help)");
        }
    }

    private static Object parseOrText(String s) {
        try {
            return Json.parse(s);
        } catch (Json.ParseException e) {
            return s;
        }
    }

    private long revision(Map<String, String> opts, String what) throws UsageException {
        String r = opts.get("--revision");
        if (r == null) {
            throw new UsageException(what + " needs --revision N: the revision get shows (0 when there is no record"
                    + " yet), so that a change made meanwhile by someone else is not overwritten");
        }
        try {
            long v = Long.parseLong(r);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException("--revision must be a whole number from 0, not " + r);
        }
    }

    private static void args(List<String> pos, int n, String usage) throws UsageException {
        if (pos.size() != n) {
            throw new UsageException("usage: " + usage);
        }
    }

    private String read(String file) throws IOException {
        return file.equals("-") ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(file), StandardCharsets.UTF_8);
    }

    private int budget(List<String> pos, Map<String, String> opts, boolean json)
            throws UsageException, ConfigAdmin.EtcdException, ConfigAdmin.ConflictException {
        String sub = pos.size() < 3 ? "" : pos.get(1);
        try (BudgetAdmin admin = new BudgetAdmin(settings(opts))) {
            switch (sub) {
                case "get" -> {
                    args(pos, 3, "budget get <budget>");
                    Map<String, Object> r = admin.get(pos.get(2));
                    print(json, r, r.get("record") == null ? "no record for budget " + pos.get(2)
                            : "revision " + r.get("revision") + "\n" + Json.write(r.get("record"), true));
                    return OK;
                }
                case "set" -> {
                    long rev = opts.containsKey("--revision") ? revision(opts, "budget set") : -1;
                    long written = admin.set(pos.get(2), pos.subList(3, pos.size()), rev);
                    print(json, Map.of("budget", pos.get(2), "revision", written), "budget " + pos.get(2)
                            + " written at revision " + written);
                    return OK;
                }
                case "show" -> {
                    args(pos, 3, "budget show <budget>");
                    Map<String, Object> r = admin.show(pos.get(2));
                    print(json, r, BudgetAdmin.showText(r));
                    return OK;
                }
                default -> throw new UsageException("usage: budget get|set|show <budget> ... (see --help)");
            }
        } catch (IllegalArgumentException e) {
            return fail(json, INVALID, "invalid", e.getMessage(), null);
        }
    }

    private ConfigAdmin admin(Map<String, String> opts) {
        return new ConfigAdmin(settings(opts));
    }

    private EtcdSettings settings(Map<String, String> opts) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(EtcdSettings.ENDPOINTS, opts.getOrDefault("--endpoints",
                env.getOrDefault("POOLED_ETCD_ENDPOINTS", "http://127.0.0.1:2379")));
        String ns = opts.getOrDefault("--namespace", env.get("POOLED_ETCD_NAMESPACE"));
        if (ns != null) {
            s.put(EtcdSettings.NAMESPACE, ns);
        }
        put(s, EtcdSettings.USER, opts.get("--user"));
        put(s, EtcdSettings.PASSWORD_REF, opts.get("--password-ref"));
        put(s, EtcdSettings.CA_FILE, opts.get("--ca-file"));
        put(s, EtcdSettings.CERT_FILE, opts.get("--cert-file"));
        put(s, EtcdSettings.KEY_FILE, opts.get("--key-file"));
        put(s, EtcdSettings.TIMEOUT_MS, opts.get("--timeout-ms"));
        return EtcdSettings.parse(s);
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private void print(boolean json, Map<String, ?> doc, String text) {
        out.println(json ? Json.write(doc, true) : text);
    }

    private int fail(boolean json, int code, String error, String message,
            List<PoolConfigException.Violation> violations) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", error);
            m.put("exit", code);
            m.put("message", message);
            if (violations != null) {
                List<Object> vs = new ArrayList<>();
                for (PoolConfigException.Violation v : violations) {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("field", v.key());
                    x.put("value", v.value());
                    x.put("rule", v.rule());
                    vs.add(x);
                }
                m.put("violations", vs);
            }
            out.println(Json.write(m, true));
        }
        err.println("pooledctl: " + message);
        return code;
    }

    @Override
    public String toString() {
        return "PooledCtl";
    }
}
