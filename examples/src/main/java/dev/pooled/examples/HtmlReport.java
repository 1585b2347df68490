package dev.pooled.examples;

import dev.pooled.RejectReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The demo's report: one self-contained HTML file, charts as inline SVG (no script, no CDN, readable offline), the
 * phases marked on every chart, a summary table, and the charted figures as JSON in a
 * {@code <script type="application/json" id="pooled-demo-data">} element for tests and for anyone who wants them.
 */
final class HtmlReport {
    private static final int W = 980;
    private static final int H = 210;
    private static final int LEFT = 58;
    private static final int RIGHT = 150;
    private static final int TOP = 22;
    private static final int BOTTOM = 26;
    private static final String[] REASON_COLORS = {"#d97706", "#dc2626", "#6b7280", "#9333ea", "#2563eb", "#111827",
        "#059669"};

    private HtmlReport() {
    }

    /** A line on a chart. */
    private record Series(String name, String color, double[] y, boolean dashed) {
    }

    static String render(Demo.Timeline tl, String database, Map<String, String> settings) {
        Map<String, List<Demo.Timeline.Sample>> byPool = new LinkedHashMap<>();
        for (Demo.Timeline.Sample s : tl.samples()) {
            byPool.computeIfAbsent(s.pool(), k -> new ArrayList<>()).add(s);
        }
        List<Demo.Timeline.Sample> orders = byPool.values().iterator().next();
        double tMax = tl.samples().isEmpty() ? 1 : tl.samples().get(tl.samples().size() - 1).t();
        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Pooled JDBC demo report</title>\n")
                .append("<style>body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#111827;max-width:1040px}")
                .append("h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:26px 0 2px}p.note{margin:2px 0 6px;color:#4b5563}")
                .append("table{border-collapse:collapse;font-size:12.5px;margin-top:8px}td,th{border:1px solid #d1d5db;padding:3px 6px;text-align:right}")
                .append("th{background:#f3f4f6}td.l,th.l{text-align:left}svg{display:block}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:8px 0}")
                .append("dt{color:#4b5563}dd{margin:0}</style></head><body>\n");
        h.append("<h1>Pooled JDBC demo</h1>\n<p class=\"note\">").append(esc(database)).append(" &middot; generated ")
                .append(Instant.now().toString(), 0, 19).append("Z</p>\n<dl>");
        for (Map.Entry<String, String> e : settings.entrySet()) {
            h.append("<dt>").append(esc(e.getKey())).append("</dt><dd>").append(esc(e.getValue())).append("</dd>");
        }
        h.append("</dl>\n");

        h.append("<h2>Pool size against &lambda;&middot;W (pool orders)</h2><p class=\"note\">Little's Law: offered load "
                + "&lambda;&middot;W is the connections the traffic needs; the sizer keeps the pool near it with "
                + "headroom; the limit is how many may be held at once (the throttle lowers it when the database slows). "
                + "Axis cut at twice max_connections: during the outage &lambda;&middot;W measures waits, not work.</p>\n");
        h.append(chart(tl, orders, tMax, List.of(
                new Series("pool size", "#2563eb", col(orders, s -> s.total()), false),
                new Series("target size", "#93c5fd", col(orders, s -> s.target()), true),
                new Series("\u03bb\u00b7W", "#059669", col(orders, s -> s.offeredLoad()), false),
                new Series("limit", "#dc2626", col(orders, s -> s.limit()), true)), 2 * Demo.MAX_CONNECTIONS, false,
                null));

        h.append("<h2>In use and queue depth (pool orders)</h2><p class=\"note\">Connections held by callers, and "
                + "callers waiting; the queue is bounded by max_queue (dashed).</p>\n");
        h.append(chart(tl, orders, tMax, List.of(
                new Series("in use", "#2563eb", col(orders, s -> s.active()), false),
                new Series("queue depth", "#d97706", col(orders, s -> s.queue()), false),
                new Series("max_queue", "#d97706", col(orders, s -> s.maxQueue()), true)), 0, false, null));

        h.append("<h2>Wait time of served requests (pool orders, ms)</h2><p class=\"note\">From the pool's own events: "
                + "time from asking to holding a connection, per 200 ms; the caller's deadline is timeout_ms (dashed); "
                + "the database's time per request for scale.</p>\n");
        h.append(chart(tl, orders, tMax, List.of(
                new Series("p50", "#93c5fd", col(orders, s -> s.waitP50()), false),
                new Series("p99", "#2563eb", col(orders, s -> s.waitP99()), false),
                new Series("max", "#9ca3af", col(orders, s -> s.waitMax()), true),
                new Series("timeout_ms", "#dc2626", col(orders, s -> Demo.TIMEOUT_MS), true),
                new Series("db latency", "#059669", col(orders, s -> s.latencyMs()), true)), 0, false, null));

        List<Series> rate = new ArrayList<>();
        rate.add(new Series("offered", "#9ca3af", col(orders, s -> s.offered()), true));
        rate.add(new Series("served", "#2563eb", col(orders, s -> s.served()), false));
        RejectReason[] reasons = RejectReason.values();
        for (int i = 0; i < reasons.length; i++) {
            RejectReason r = reasons[i];
            double[] y = col(orders, s -> s.rejections().getOrDefault(r, 0.0));
            if (max(y) > 0) {
                rate.add(new Series("rejected: " + r.tag(), REASON_COLORS[i % REASON_COLORS.length], y, false));
            }
        }
        double[] dbErr = col(orders, s -> s.dbErrors());
        if (max(dbErr) > 0) {
            rate.add(new Series("database errors", "#7c2d12", dbErr, true));
        }
        h.append("<h2>Requests per second and rejections by reason (pool orders)</h2><p class=\"note\">Rejected requests "
                + "fail fast with a typed SQLException (SQLState 08004 queue_full / overloaded / circuit_open, 08001 "
                + "timeout).</p>\n");
        h.append(chart(tl, orders, tMax, rate, 0, false, null));

        h.append("<h2>Circuit breaker (pool orders)</h2><p class=\"note\">Opens on a rate of failed connection attempts; "
                + "while open, callers are rejected in microseconds; half-open probes decide when to close.</p>\n");
        h.append(chart(tl, orders, tMax, List.of(new Series("breaker", "#111827", col(orders, s -> breaker(s.breaker())),
                false)), 2, true, new String[] {"closed", "half-open", "open"}));

        List<Series> budget = new ArrayList<>();
        String[] colors = {"#2563eb", "#d97706", "#9333ea"};
        int c = 0;
        List<Demo.Timeline.Sample> anyBudget = null;
        for (Map.Entry<String, List<Demo.Timeline.Sample>> e : byPool.entrySet()) {
            List<Demo.Timeline.Sample> l = e.getValue();
            if (!l.get(0).budgeted()) {
                continue;
            }
            anyBudget = l;
            String col = colors[c++ % colors.length];
            budget.add(new Series(e.getKey() + " p" + l.get(0).priority() + " share", col, col(l, s -> s.budgetShare()),
                    false));
            budget.add(new Series(e.getKey() + " in use", col, col(l, s -> s.active()), true));
        }
        if (anyBudget != null) {
            h.append("<h2>One budget, three pools, by priority</h2><p class=\"note\">Each pool's share of budget_max="
                    + Demo.BUDGET_MAX + " (solid) and the connections it holds (dashed). The three pools idle until phase 6; "
                    + "their shares before it are what an idle member keeps.</p>\n");
            h.append(chart(tl, anyBudget, tMax, budget, 0, true, null));
        }

        h.append("<h2>Summary by phase</h2>\n<table><tr><th class=\"l\">phase</th><th class=\"l\">pool</th>"
                + "<th>offered/s</th><th>served/s</th><th>wait p50</th><th>wait p99</th><th>wait max</th>"
                + "<th class=\"l\">rejected (by reason)</th><th>'no' p50</th><th>'no' p99</th><th>db errors</th>"
                + "<th>limit</th><th>size</th><th>queue max</th><th class=\"l\">breaker</th><th>share</th></tr>\n");
        for (Demo.Timeline.PhaseTotals t : tl.totals().values()) {
            if (t.offered() == 0) {
                continue;
            }
            StringBuilder r = new StringBuilder();
            for (Map.Entry<RejectReason, Long> e : t.rejections().entrySet()) {
                if (e.getValue() > 0) {
                    r.append(r.length() == 0 ? "" : ", ").append(e.getKey().tag()).append(' ').append(e.getValue());
                }
            }
            double secs = Math.max(1e-3, t.seconds());
            boolean anyRejected = t.rejectLatency().getTotalCount() > 0;
            h.append("<tr><td class=\"l\">").append(esc(t.phase())).append("</td><td class=\"l\">").append(esc(t.pool()))
                    .append("</td><td>").append(fmt("%.0f", t.offered() / secs)).append("</td><td>")
                    .append(fmt("%.0f", t.served() / secs)).append("</td><td>")
                    .append(LiveView.millis(t.waits().getValueAtPercentile(50) / 1e6)).append("</td><td>")
                    .append(LiveView.millis(t.waits().getValueAtPercentile(99) / 1e6)).append("</td><td>")
                    .append(LiveView.millis(t.waits().getMaxValue() / 1e6)).append("</td><td class=\"l\">")
                    .append(r.length() == 0 ? "0" : esc(r.toString())).append("</td><td>")
                    .append(anyRejected ? LiveView.micros(t.rejectLatency().getValueAtPercentile(50) / 1e3) : "-")
                    .append("</td><td>")
                    .append(anyRejected ? LiveView.micros(t.rejectLatency().getValueAtPercentile(99) / 1e3) : "-")
                    .append("</td><td>").append(t.dbErrors()).append("</td><td>").append(t.limitMin()).append("&ndash;")
                    .append(t.limitMax()).append("</td><td>").append(t.sizeMin()).append("&ndash;").append(t.sizeMax())
                    .append("</td><td>").append(t.queueMax()).append("</td><td class=\"l\">")
                    .append(esc(String.join(" / ", t.breakerStates()))).append("</td><td>")
                    .append(t.shareMax() <= 0 ? "-" : t.shareMin() + "&ndash;" + t.shareMax()).append("</td></tr>\n");
        }
        h.append("</table>\n<p class=\"note\">'no' = how long a rejected caller waited for its exception, measured by the "
                + "caller. Wait = time to a physical connection, from the pool's listener. Offered and served per second "
                + "over the phase.</p>\n");
        h.append("<script type=\"application/json\" id=\"pooled-demo-data\">\n").append(json(tl, byPool))
                .append("\n</script>\n</body></html>\n");
        return h.toString();
    }

    private static double breaker(String state) {
        switch (state.toUpperCase(Locale.ROOT)) {
            case "OPEN":
            case "FORCED_OPEN":
                return 2;
            case "HALF_OPEN":
                return 1;
            default:
                return 0;
        }
    }

    private static double[] col(List<Demo.Timeline.Sample> l, ToDoubleFunction<Demo.Timeline.Sample> f) {
        double[] y = new double[l.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = f.applyAsDouble(l.get(i));
        }
        return y;
    }

    private static double max(double[] y) {
        double m = 0;
        for (double v : y) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** A line chart over the run's time, phases as bands; {@code yMax <= 0} = fit the data. */
    private static String chart(Demo.Timeline tl, List<Demo.Timeline.Sample> xs, double tMax, List<Series> series,
            double yMax, boolean step, String[] yLabels) {
        double top = yMax;
        if (top <= 0) {
            for (Series s : series) {
                top = Math.max(top, max(s.y()));
            }
            top = nice(top);
        }
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" font-family=\"system-ui,sans-serif\" font-size=\"11\">");
        List<double[]> spans = tl.phaseSpans();
        for (int i = 0; i < spans.size(); i++) {
            double x0 = LEFT + spans.get(i)[0] / tMax * pw;
            double x1 = LEFT + spans.get(i)[1] / tMax * pw;
            b.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(TOP).append("\" width=\"")
                    .append(f(Math.max(0, x1 - x0))).append("\" height=\"").append(ph).append("\" fill=\"")
                    .append(i % 2 == 0 ? "#f3f4f6" : "#e5e7eb").append("\"/>");
            b.append("<text x=\"").append(f(x0 + 4)).append("\" y=\"").append(TOP - 6).append("\" fill=\"#374151\">")
                    .append(i + 1).append(' ').append(esc(Demo.PHASES.get(i).key())).append("</text>");
        }
        for (int k = 0; k <= 4; k++) {
            double v = top * k / 4;
            double y = TOP + ph - (v / top) * ph;
            if (yLabels != null && (v != Math.rint(v) || v >= yLabels.length)) {
                continue;
            }
            b.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + pw).append("\" y1=\"").append(f(y))
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#d1d5db\" stroke-width=\"0.5\"/>");
            b.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
                    .append("\" text-anchor=\"end\" fill=\"#374151\">")
                    .append(yLabels != null ? yLabels[(int) v] : label(v)).append("</text>");
        }
        for (int s = 0; s <= (int) tMax; s += tMax > 40 ? 10 : 5) {
            double x = LEFT + s / tMax * pw;
            b.append("<text x=\"").append(f(x)).append("\" y=\"").append(H - 8)
                    .append("\" text-anchor=\"middle\" fill=\"#6b7280\">").append(s).append(" s</text>");
        }
        int ly = TOP + 4;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            double prevY = Double.NaN;
            for (int i = 0; i < xs.size(); i++) {
                double x = LEFT + xs.get(i).t() / tMax * pw;
                double y = TOP + ph - Math.min(1, s.y()[i] / top) * ph;
                if (step && !Double.isNaN(prevY)) {
                    pts.append(f(x)).append(',').append(f(prevY)).append(' ');
                }
                pts.append(f(x)).append(',').append(f(y)).append(' ');
                prevY = y;
            }
            b.append("<polyline fill=\"none\" stroke=\"").append(s.color()).append("\" stroke-width=\"1.6\"")
                    .append(s.dashed() ? " stroke-dasharray=\"4 3\"" : "").append(" points=\"").append(pts)
                    .append("\"/>");
            b.append("<line x1=\"").append(W - RIGHT + 8).append("\" x2=\"").append(W - RIGHT + 26).append("\" y1=\"")
                    .append(ly).append("\" y2=\"").append(ly).append("\" stroke=\"").append(s.color())
                    .append("\" stroke-width=\"2\"").append(s.dashed() ? " stroke-dasharray=\"4 3\"" : "").append("/>");
            b.append("<text x=\"").append(W - RIGHT + 30).append("\" y=\"").append(ly + 4).append("\">")
                    .append(esc(s.name())).append("</text>");
            ly += 15;
        }
        b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#9ca3af\"/>");
        return b.append("</svg>\n").toString();
    }

    private static double nice(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (v <= m * p) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : fmt("%.1f", v);
    }

    private static String f(double v) {
        return fmt("%.1f", v);
    }

    private static String fmt(String f, double v) {
        return String.format(Locale.ROOT, f, v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The charted figures, per pool, as arrays over time. */
    private static String json(Demo.Timeline tl, Map<String, List<Demo.Timeline.Sample>> byPool) {
        StringBuilder b = new StringBuilder("{\"phases\":[");
        for (int i = 0; i < tl.phaseSpans().size(); i++) {
            Demo.Phase p = Demo.PHASES.get(i);
            b.append(i == 0 ? "" : ",").append("{\"key\":\"").append(p.key()).append("\",\"title\":\"")
                    .append(jsonEsc(p.title())).append("\",\"start\":").append(fmt("%.3f", tl.phaseSpans().get(i)[0]))
                    .append(",\"end\":").append(fmt("%.3f", tl.phaseSpans().get(i)[1])).append('}');
        }
        b.append("],\"pools\":{");
        boolean firstPool = true;
        for (Map.Entry<String, List<Demo.Timeline.Sample>> e : byPool.entrySet()) {
            List<Demo.Timeline.Sample> l = e.getValue();
            b.append(firstPool ? "" : ",").append('"').append(e.getKey()).append("\":{\"priority\":")
                    .append(l.get(0).priority()).append(",\"budgeted\":").append(l.get(0).budgeted());
            firstPool = false;
            arr(b, "t", l, Demo.Timeline.Sample::t);
            arr(b, "phase", l, Demo.Timeline.Sample::phase);
            arr(b, "limit", l, Demo.Timeline.Sample::limit);
            arr(b, "active", l, Demo.Timeline.Sample::active);
            arr(b, "size", l, Demo.Timeline.Sample::total);
            arr(b, "targetSize", l, Demo.Timeline.Sample::target);
            arr(b, "offeredLoad", l, Demo.Timeline.Sample::offeredLoad);
            arr(b, "arrivalRate", l, Demo.Timeline.Sample::arrivalRate);
            arr(b, "queueDepth", l, Demo.Timeline.Sample::queue);
            arr(b, "waitP50Ms", l, Demo.Timeline.Sample::waitP50);
            arr(b, "waitP99Ms", l, Demo.Timeline.Sample::waitP99);
            arr(b, "waitMaxMs", l, Demo.Timeline.Sample::waitMax);
            arr(b, "offeredPerSec", l, Demo.Timeline.Sample::offered);
            arr(b, "servedPerSec", l, Demo.Timeline.Sample::served);
            arr(b, "dbErrorsPerSec", l, Demo.Timeline.Sample::dbErrors);
            arr(b, "rejectP99Micros", l, Demo.Timeline.Sample::rejectP99Micros);
            arr(b, "budgetShare", l, Demo.Timeline.Sample::budgetShare);
            arr(b, "breaker", l, s -> breaker(s.breaker()));
            b.append(",\"rejectedPerSec\":{");
            RejectReason[] rs = RejectReason.values();
            for (int i = 0; i < rs.length; i++) {
                RejectReason r = rs[i];
                b.append(i == 0 ? "" : ",");
                b.append('"').append(r.tag()).append("\":[");
                for (int k = 0; k < l.size(); k++) {
                    b.append(k == 0 ? "" : ",").append(fmt("%.1f", l.get(k).rejections().getOrDefault(r, 0.0)));
                }
                b.append(']');
            }
            b.append("}}");
        }
        b.append("},\"summary\":[");
        boolean first = true;
        for (Demo.Timeline.PhaseTotals t : tl.totals().values()) {
            b.append(first ? "" : ",");
            first = false;
            b.append("{\"phase\":\"").append(t.phase()).append("\",\"pool\":\"").append(t.pool())
                    .append("\",\"offered\":").append(t.offered()).append(",\"served\":").append(t.served())
                    .append(",\"dbErrors\":").append(t.dbErrors())
                    .append(",\"waitP99Ms\":").append(fmt("%.3f", t.waits().getValueAtPercentile(99) / 1e6))
                    .append(",\"rejectP99Micros\":").append(fmt("%.1f", t.rejectLatency().getValueAtPercentile(99) / 1e3))
                    .append(",\"limitMin\":").append(t.limitMin()).append(",\"limitMax\":").append(t.limitMax())
                    .append(",\"queueMax\":").append(t.queueMax())
                    .append(",\"shareMin\":").append(t.shareMin()).append(",\"shareMax\":").append(t.shareMax())
                    .append(",\"breakerStates\":[");
            for (int i = 0; i < t.breakerStates().size(); i++) {
                b.append(i == 0 ? "" : ",").append('"').append(t.breakerStates().get(i)).append('"');
            }
            b.append("],\"rejected\":{");
            boolean fr = true;
            for (Map.Entry<RejectReason, Long> e : t.rejections().entrySet()) {
                b.append(fr ? "" : ",").append('"').append(e.getKey().tag()).append("\":").append(e.getValue());
                fr = false;
            }
            b.append("}}");
        }
        return b.append("]}").toString();
    }

    private static void arr(StringBuilder b, String name, List<Demo.Timeline.Sample> l,
            ToDoubleFunction<Demo.Timeline.Sample> f) {
        b.append(",\"").append(name).append("\":[");
        for (int i = 0; i < l.size(); i++) {
            double v = f.applyAsDouble(l.get(i));
            b.append(i == 0 ? "" : ",").append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                    : fmt("%.3f", v));
        }
        b.append(']');
    }

    private static String jsonEsc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
