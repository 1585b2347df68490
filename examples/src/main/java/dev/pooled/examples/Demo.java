package dev.pooled.examples;

import dev.pooled.Instrumentation;
import dev.pooled.PoolStats;
import dev.pooled.RejectReason;
import dev.pooled.jdbc.PooledDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The demo: one service's pool through a day's worth of trouble in half a minute, then several pools sharing one
 * connection budget. Each phase is announced, shown live, and charted in an HTML report at the end.
 *
 * <p>By default it runs on an embedded H2 database in this process, so it needs no server. With
 * {@code --url jdbc:pooled:postgresql://...} or {@code jdbc:pooled:mysql://...} it runs the same phases against a
 * real server (the outage then comes from an in-process TCP relay, never from stopping the server). Run with
 * {@code --help} for the options.
 */
public final class Demo {
    /** Sampling (and live view) period. */
    static final long SAMPLE_MILLIS = 200;
    static final int MAX_CONNECTIONS = 8;
    static final int MAX_QUEUE = 16;
    static final int TIMEOUT_MS = 250;
    static final int BREAKER_OPEN_MS = 1000;
    static final String BUDGET = "demo-db";
    /**
     * A budget pool's offered load, as a share of one pool's capacity: the top priority asks for less than the
     * budget, so that what it leaves shows the next level served before the last.
     */
    static double budgetLoad(int priority) {
        return priority >= 9 ? 0.3 : 0.6;
    }
    static final int BUDGET_MAX = 10;

    private Demo() {
    }

    /** What a run is asked to do. */
    record Options(String url, long latencyMicros, double phaseSeconds, Path report, boolean plain, String mode) {
    }

    /** One step of the story. */
    record Phase(String key, String title, String story) {
    }

    /** A pool in the demo, its load, and the settings that matter to the story. */
    record Member(String name, int priority, boolean budgeted, PooledDataSource ds, Load load) {
    }

    static final List<Phase> PHASES = List.of(
            new Phase("nominal", "Nominal load",
                    "Half of capacity: every request is served at once, the pool sizes itself to lambda x W."),
            new Phase("burst", "Burst to 150 % of capacity",
                    "More requests than 8 connections can serve: a bounded queue, fast rejections, p99 held."),
            new Phase("slow", "Slow database",
                    "The database gets 4x slower: the throttle lowers the limit and sheds at the service's door."),
            new Phase("outage", "Database outage",
                    "No connection can be made: the circuit breaker opens and callers get 'no' in microseconds."),
            new Phase("recovery", "Recovery",
                    "The database is back: half-open probes succeed, the breaker closes, the pool refills."),
            new Phase("budget", "Three pools share one budget by priority",
                    "checkout (priority 9), search (5) and reports (1) share budget_max=" + BUDGET_MAX
                            + " connections: the higher priority gets its demand first."));

    /**
     * Runs the demo.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println("Run with --help for the options.");
            System.exit(2);
            return;
        }
        if (o == null) {
            System.out.println(usage());
            return;
        }
        try {
            Path report = run(o, System.out);
            System.out.println();
            System.out.println("Report: " + report.toAbsolutePath().toUri());
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(2);
        } catch (SQLException e) {
            System.err.println("demo: cannot reach the database: " + e.getSQLState() + " " + e.getMessage());
            System.exit(1);
        }
    }

    static String usage() {
        return String.join("\n",
                "Usage: scripts/demo.sh [options]",
                "  --url URL            jdbc:pooled:postgresql://... or jdbc:pooled:mysql://... (default: embedded H2)",
                "  --latency-ms N       the database's time per request, 1-1000 (default 10); the slow phase is 4x",
                "  --phase-seconds S    length of each phase, 0.5-120 (default 5)",
                "  --mode M             transaction (default) or session pooling",
                "  --report PATH        where the HTML report goes (default target/pooled-demo-report.html)",
                "  --plain              plain lines instead of the live line, even on a terminal");
    }

    /** @return the options, or {@code null} for {@code --help} */
    static Options parse(String[] args) {
        String url = null;
        long latency = 10_000;
        double phase = 5;
        Path report = Paths.get("target", "pooled-demo-report.html");
        boolean plain = false;
        String mode = "transaction";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h":
                case "--help":
                    return null;
                case "--plain":
                    plain = true;
                    break;
                case "--url":
                    url = value(args, ++i, a);
                    break;
                case "--latency-ms":
                    latency = Math.round(number(value(args, ++i, a), a, 1, 1000) * 1000);
                    break;
                case "--phase-seconds":
                    phase = number(value(args, ++i, a), a, 0.5, 120);
                    break;
                case "--report":
                    report = Paths.get(value(args, ++i, a));
                    break;
                case "--mode":
                    mode = value(args, ++i, a);
                    if (!mode.equals("transaction") && !mode.equals("session")) {
                        throw new IllegalArgumentException("--mode '" + mode + "': allowed are transaction, session");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        return new Options(url, latency, phase, report, plain, mode);
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static double number(String v, String name, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + v + "' is not a number; allowed: " + min + " to " + max);
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException(name + " " + v + " is out of range; allowed: " + min + " to " + max);
        }
        return d;
    }

    /**
     * Runs every phase and writes the report.
     *
     * @return the report's path
     */
    static Path run(Options o, PrintStream out) throws Exception {
        boolean live = !o.plain() && System.console() != null;
        List<Member> members = new ArrayList<>();
        Timeline timeline = new Timeline();
        try (DemoDatabase db = DemoDatabase.open(o.url())) {
            db.latency(o.latencyMicros());
            double capacity = MAX_CONNECTIONS * 1e6 / o.latencyMicros(); // requests per second at full use
            // At most max_connections + max_queue requests are in the pool at once; rejected ones come back in
            // microseconds. Three times that many users keep the offered rate while every slot is taken.
            int users = 3 * (MAX_CONNECTIONS + MAX_QUEUE);
            out.println("Pooled JDBC demo");
            out.println("  database : " + db.description());
            out.printf(Locale.ROOT, "  pool     : max_connections=%d max_queue=%d timeout_ms=%d mode=%s, %d ms per "
                            + "request -> capacity %.0f requests/s%n", MAX_CONNECTIONS, MAX_QUEUE, TIMEOUT_MS, o.mode(),
                    o.latencyMicros() / 1000, capacity);
            out.printf(Locale.ROOT, "  phases   : %d x %.1f s%s%n", PHASES.size(), o.phaseSeconds(),
                    live ? "" : " (plain output: stdout is not a terminal)");
            try {
                members.add(member("orders", 5, false, db, o, users));
                int budgetUsers = users;
                members.add(member("checkout", 9, true, db, o, budgetUsers));
                members.add(member("search", 5, true, db, o, budgetUsers));
                members.add(member("reports", 1, true, db, o, budgetUsers));
                for (Member m : members) {
                    m.load().start(m.ds());
                }
                timeline.start(members, db);
                for (int p = 0; p < PHASES.size(); p++) {
                    Phase phase = PHASES.get(p);
                    apply(phase, members, db, o, capacity);
                    out.println();
                    out.printf(Locale.ROOT, "==> Phase %d/%d: %s%n    %s%n", p + 1, PHASES.size(), phase.title(),
                            phase.story() + how(phase, db, o, capacity));
                    timeline.phase(p);
                    long end = System.nanoTime() + (long) (o.phaseSeconds() * 1e9);
                    int n = 0;
                    LiveView.Terminal term = live ? new LiveView.Terminal(out, columns()) : null;
                    while (System.nanoTime() < end) {
                        TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(SAMPLE_MILLIS,
                                TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                        List<Timeline.Sample> s = timeline.sample();
                        n++;
                        List<String> panel = LiveView.panel(phase, s, timeline.seconds());
                        if (term != null) {
                            term.draw(panel);
                        } else if (n % 5 == 0) {
                            for (String l : panel) {
                                out.println("    " + l.strip());
                            }
                        }
                    }
                    if (term != null) {
                        term.finish();
                    }
                    out.println("    " + LiveView.phaseSummary(timeline.summary(p)));
                }
            } finally {
                for (Member m : members) {
                    m.load().stop();
                }
                for (Member m : members) {
                    m.ds().close();
                }
            }
            Path report = o.report();
            if (report.getParent() != null) {
                Files.createDirectories(report.getParent());
            }
            Files.writeString(report, HtmlReport.render(timeline, db.description(), settings(o, capacity, db)),
                    StandardCharsets.UTF_8);
            return report;
        }
    }

    /** @return the terminal's width: scripts/demo.sh passes it, since Java cannot ask the terminal */
    private static int columns() {
        try {
            return Integer.parseInt(System.getenv().getOrDefault("DEMO_COLUMNS", "120").trim());
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    private static Map<String, String> settings(Options o, double capacity, DemoDatabase db) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("database", db.description());
        m.put("pool orders", "max_connections=" + MAX_CONNECTIONS + ", max_queue=" + MAX_QUEUE + ", timeout_ms="
                + TIMEOUT_MS + ", mode=" + o.mode() + ", breaker_open_ms=" + BREAKER_OPEN_MS
                + ", sizing=littles_law, throttling=gradient"
                + (db.kind() == DemoDatabase.Kind.H2 && o.mode().equals("transaction") ? ", reset=minimal" : ""));
        m.put("budget pools", "checkout (priority 9), search (5), reports (1): budget=" + BUDGET + ", budget_max="
                + BUDGET_MAX + ", max_connections=" + MAX_CONNECTIONS + " each");
        m.put("database latency", o.latencyMicros() / 1000.0 + " ms per request (x4 in the slow phase)");
        m.put("capacity", String.format(Locale.ROOT, "%.0f requests/s (%d connections / latency)", capacity,
                MAX_CONNECTIONS));
        m.put("outage", db.outageHow());
        m.put("phase length", o.phaseSeconds() + " s");
        return m;
    }

    private static String how(Phase phase, DemoDatabase db, Options o, double capacity) {
        switch (phase.key()) {
            case "nominal":
                return String.format(Locale.ROOT, " [%.0f req/s offered]", capacity * 0.5);
            case "burst":
                return String.format(Locale.ROOT, " [%.0f req/s offered]", capacity * 1.5);
            case "slow":
                return String.format(Locale.ROOT, " [latency %d -> %d ms, %.0f req/s offered]",
                        o.latencyMicros() / 1000, o.latencyMicros() * 4 / 1000, capacity * 0.5);
            case "outage":
                return " [" + db.outageHow() + "]";
            case "budget":
                return String.format(Locale.ROOT, " [%.0f, %.0f and %.0f req/s offered: together %.1fx what the "
                        + "budget serves]", capacity * budgetLoad(9), capacity * budgetLoad(5), capacity * budgetLoad(1),
                        (budgetLoad(9) + budgetLoad(5) + budgetLoad(1)) * MAX_CONNECTIONS / BUDGET_MAX);
            default:
                return "";
        }
    }

    private static void apply(Phase phase, List<Member> members, DemoDatabase db, Options o, double capacity) {
        Load orders = members.get(0).load();
        switch (phase.key()) {
            case "nominal":
                orders.rate(capacity * 0.5);
                break;
            case "burst":
                orders.rate(capacity * 1.5);
                break;
            case "slow":
                db.latency(o.latencyMicros() * 4);
                orders.rate(capacity * 0.5);
                break;
            case "outage":
                db.latency(o.latencyMicros());
                db.outage(true);
                break;
            case "recovery":
                db.outage(false);
                break;
            case "budget":
                orders.rate(0);
                for (Member m : members) {
                    if (m.budgeted()) {
                        m.load().rate(capacity * budgetLoad(m.priority()));
                    }
                }
                break;
            default:
                throw new IllegalStateException(phase.key());
        }
    }

    private static Member member(String name, int priority, boolean budgeted, DemoDatabase db, Options o, int users)
            throws SQLException {
        Load load = new Load(name, db, users);
        PooledDataSource.Builder b = PooledDataSource.builder()
                .url(db.poolUrl())
                .instrumentation(Instrumentation.builder().meterRegistry(new SimpleMeterRegistry()).listener(load)
                        .jmx(false).build())
                .set("service", "demo-" + name)
                .set("max_connections", Integer.toString(MAX_CONNECTIONS))
                .set("max_queue", Integer.toString(MAX_QUEUE))
                .set("timeout_ms", Integer.toString(TIMEOUT_MS))
                .set("priority", Integer.toString(priority))
                .set("mode", o.mode())
                .set("breaker_open_ms", Integer.toString(BREAKER_OPEN_MS));
        if (budgeted) {
            b.set("budget", BUDGET).set("budget_max", Integer.toString(BUDGET_MAX));
        }
        if (db.kind() == DemoDatabase.Kind.H2 && o.mode().equals("transaction")) {
            // reset=always (the default) cannot reset an H2 session (no known reset), so it would close and reopen
            // the physical connection after every transaction; the demo's statement leaves no session state.
            b.set("reset", "minimal");
        }
        return new Member(name, priority, budgeted, b.build(), load);
    }

    /** The samples of a run, per pool, and what each phase added up to. */
    static final class Timeline {
        /** One pool at one moment. Rates per second, times in milliseconds unless the name says otherwise. */
        record Sample(double t, int phase, String pool, int priority, boolean budgeted, int limit, int active,
                int total, int target, int queue, int maxQueue, double offeredLoad, double arrivalRate,
                String breaker, int budgetShare, double offered, double served, double dbErrors,
                Map<RejectReason, Double> rejections, double waitP50, double waitP99, double waitMax,
                double rejectP99Micros, double latencyMs) {
        }

        /** What one pool did during one phase. */
        record PhaseTotals(String phase, String pool, double seconds, long offered, long served, long dbErrors,
                Map<RejectReason, Long> rejections, Histogram waits, Histogram rejectLatency, int limitMin,
                int limitMax, int sizeMin, int sizeMax, int queueMax, List<String> breakerStates, int shareMin,
                int shareMax) {
        }

        private final List<Sample> samples = new ArrayList<>();
        private final List<double[]> phaseSpans = new ArrayList<>();
        private final Map<String, PhaseTotals> totals = new LinkedHashMap<>();
        private List<Member> members;
        private DemoDatabase db;
        private long t0;
        private long last;
        private int phase;

        void start(List<Member> members, DemoDatabase db) {
            this.members = members;
            this.db = db;
            for (Member m : members) {
                m.load().drain();
            }
            t0 = System.nanoTime();
            last = t0;
        }

        double seconds() {
            return (System.nanoTime() - t0) / 1e9;
        }

        void phase(int p) {
            phase = p;
            phaseSpans.add(new double[] {seconds(), seconds()});
        }

        List<Sample> samples() {
            return samples;
        }

        List<double[]> phaseSpans() {
            return phaseSpans;
        }

        Map<String, PhaseTotals> totals() {
            return totals;
        }

        /** @return the pools' totals for phase {@code p}, in member order */
        List<PhaseTotals> summary(int p) {
            List<PhaseTotals> l = new ArrayList<>();
            for (PhaseTotals t : totals.values()) {
                if (t.phase().equals(PHASES.get(p).key())) {
                    l.add(t);
                }
            }
            return l;
        }

        List<Sample> sample() {
            long now = System.nanoTime();
            double dt = Math.max(1e-3, (now - last) / 1e9);
            last = now;
            double t = (now - t0) / 1e9;
            phaseSpans.get(phase)[1] = t;
            List<Sample> out = new ArrayList<>();
            String phaseKey = PHASES.get(phase).key();
            for (Member m : members) {
                PoolStats s = m.ds().stats();
                Load.Interval iv = m.load().drain();
                Map<RejectReason, Double> rej = new LinkedHashMap<>();
                for (Map.Entry<RejectReason, Long> e : iv.rejections().entrySet()) {
                    rej.put(e.getKey(), e.getValue() / dt);
                }
                Histogram w = iv.waits();
                Sample sm = new Sample(t, phase, m.name(), m.priority(), m.budgeted(), s.limit(), s.active(),
                        s.total(), s.targetSize(), s.queueDepth(), s.maxQueue(), s.offeredLoad(), s.arrivalRate(),
                        s.breakerState(), s.budgetShare(), iv.offered() / dt, iv.served() / dt, iv.dbErrors() / dt,
                        rej, ms(w, 50), ms(w, 99), w.getTotalCount() == 0 ? 0 : w.getMaxValue() / 1e6,
                        iv.rejectLatency().getTotalCount() == 0 ? 0
                                : iv.rejectLatency().getValueAtPercentile(99) / 1e3,
                        db.latencyMicros() / 1000.0);
                samples.add(sm);
                out.add(sm);
                if (m.load().rate() <= 0) {
                    continue; // not loaded in this phase: stragglers from the previous one are not its story
                }
                String key = phaseKey + "/" + m.name();
                PhaseTotals pt = totals.get(key);
                Map<RejectReason, Long> rejTotals;
                if (pt == null) {
                    rejTotals = new LinkedHashMap<>();
                    for (RejectReason r : RejectReason.values()) {
                        rejTotals.put(r, 0L);
                    }
                    pt = new PhaseTotals(phaseKey, m.name(), 0, 0, 0, 0, rejTotals, new Histogram(2),
                            new Histogram(2), s.limit(), s.limit(), s.total(), s.total(), 0, new ArrayList<>(),
                            s.budgetShare(), s.budgetShare());
                }
                rejTotals = pt.rejections();
                for (Map.Entry<RejectReason, Long> e : iv.rejections().entrySet()) {
                    rejTotals.merge(e.getKey(), e.getValue(), Long::sum);
                }
                pt.waits().add(w);
                pt.rejectLatency().add(iv.rejectLatency());
                List<String> states = pt.breakerStates();
                String state = s.breakerState().toLowerCase(Locale.ROOT);
                if (!states.contains(state)) {
                    states.add(state);
                }
                totals.put(key, new PhaseTotals(phaseKey, m.name(), pt.seconds() + dt, pt.offered() + iv.offered(),
                        pt.served() + iv.served(), pt.dbErrors() + iv.dbErrors(), rejTotals, pt.waits(),
                        pt.rejectLatency(), Math.min(pt.limitMin(), s.limit()), Math.max(pt.limitMax(), s.limit()),
                        Math.min(pt.sizeMin(), s.total()), Math.max(pt.sizeMax(), s.total()),
                        Math.max(pt.queueMax(), s.queueDepth()), states, Math.min(pt.shareMin(), s.budgetShare()),
                        Math.max(pt.shareMax(), s.budgetShare())));
            }
            return out;
        }

        private static double ms(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
        }
    }
}
