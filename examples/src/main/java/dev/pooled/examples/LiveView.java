package dev.pooled.examples;

import dev.pooled.RejectReason;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The small panel the terminal shows (redrawn in place, or printed as plain lines), and each phase's close. */
final class LiveView {
    private LiveView() {
    }

    /** @return the live panel's lines for the pools that matter in {@code phase} */
    static List<String> panel(Demo.Phase phase, List<Demo.Timeline.Sample> samples, double t) {
        List<String> lines = new ArrayList<>();
        if (phase.key().equals("budget")) {
            for (Demo.Timeline.Sample s : samples) {
                if (s.budgeted()) {
                    lines.add(String.format(Locale.ROOT, "%5.1fs %-8s p%d  share %2d  in use %2d  queue %2d  served %4.0f/s"
                                    + "  rejected %4.0f/s  wait p99 %s", t, s.pool(), s.priority(), s.budgetShare(),
                            s.active(), s.queue(), s.served(), rejected(s.rejections()), millis(s.waitP99())));
                }
            }
            return lines;
        }
        Demo.Timeline.Sample s = samples.get(0);
        lines.add(String.format(Locale.ROOT, "%5.1fs limit %d  size %d (lambda*W %.1f)  in use %d  queue %d/%d  "
                        + "wait p99 %s", t, s.limit(), s.total(), s.offeredLoad(), s.active(), s.queue(), s.maxQueue(),
                millis(s.waitP99())));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "       served %.0f/s", s.served()));
        String rej = reasons(s.rejections());
        b.append(rej.isEmpty() ? "  rejected 0" : "  rejected " + rej);
        if (s.rejectP99Micros() > 0) {
            b.append(String.format(Locale.ROOT, " (p99 %s)", micros(s.rejectP99Micros())));
        }
        if (s.dbErrors() > 0) {
            b.append(String.format(Locale.ROOT, "  db errors %.0f/s", s.dbErrors()));
        }
        b.append("  breaker ").append(s.breaker().toLowerCase(Locale.ROOT));
        lines.add(b.toString());
        return lines;
    }

    /** Redraws a panel of lines in place on a terminal {@code width} columns wide. */
    static final class Terminal {
        private final PrintStream out;
        private final int width;
        private int drawn;

        Terminal(PrintStream out, int width) {
            this.out = out;
            this.width = Math.max(40, width);
        }

        void draw(List<String> lines) {
            StringBuilder b = new StringBuilder();
            if (drawn > 1) {
                b.append("\033[").append(drawn - 1).append('A');
            }
            b.append('\r');
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                // A wrapped line would break the redraw: cut it to the terminal's width.
                b.append(l.length() >= width ? l.substring(0, width - 1) : l).append("\033[K");
                if (i < lines.size() - 1) {
                    b.append('\n');
                }
            }
            // Clear rows a longer previous panel left behind.
            for (int i = lines.size(); i < drawn; i++) {
                b.append("\n\033[K");
            }
            if (drawn > lines.size()) {
                b.append("\033[").append(drawn - lines.size()).append('A');
            }
            out.print(b);
            out.flush();
            drawn = Math.max(lines.size(), 1);
        }

        /** Leaves the panel as it is and moves below it. */
        void finish() {
            if (drawn > 0) {
                out.println();
            }
            drawn = 0;
        }
    }

    /** @return one line per pool that did something in the phase */
    static String phaseSummary(List<Demo.Timeline.PhaseTotals> totals) {
        StringBuilder b = new StringBuilder();
        for (Demo.Timeline.PhaseTotals t : totals) {
            if (t.offered() == 0) {
                continue;
            }
            if (b.length() > 0) {
                b.append("\n    ");
            }
            long rejected = 0;
            for (long v : t.rejections().values()) {
                rejected += v;
            }
            b.append(String.format(Locale.ROOT, "%s: served %d of %d (%.0f/s), wait p50 %s p99 %s, rejected %d",
                    t.pool(), t.served(), t.offered(), t.served() / Math.max(1e-3, t.seconds()),
                    millis(t.waits().getValueAtPercentile(50) / 1e6), millis(t.waits().getValueAtPercentile(99) / 1e6),
                    rejected));
            if (rejected > 0) {
                StringBuilder r = new StringBuilder();
                for (Map.Entry<RejectReason, Long> e : t.rejections().entrySet()) {
                    if (e.getValue() > 0) {
                        r.append(r.length() == 0 ? "" : ", ").append(e.getKey().tag()).append(' ').append(e.getValue());
                    }
                }
                b.append(" (").append(r).append("; caller saw 'no' after p50 ")
                        .append(micros(t.rejectLatency().getValueAtPercentile(50) / 1e3)).append(", p99 ")
                        .append(micros(t.rejectLatency().getValueAtPercentile(99) / 1e3)).append(')');
            }
            if (t.dbErrors() > 0) {
                b.append(", database errors ").append(t.dbErrors());
            }
            b.append(String.format(Locale.ROOT, ", limit %d-%d, breaker %s", t.limitMin(), t.limitMax(),
                    String.join("/", t.breakerStates())));
            if (t.phase().equals("budget") && t.shareMax() >= 0) {
                b.append(String.format(Locale.ROOT, ", budget share %d-%d", t.shareMin(), t.shareMax()));
            }
        }
        return b.toString();
    }

    static String reasons(Map<RejectReason, Double> perSecond) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<RejectReason, Double> e : perSecond.entrySet()) {
            if (e.getValue() > 0) {
                b.append(b.length() == 0 ? "" : " ").append(e.getKey().tag()).append(' ')
                        .append(String.format(Locale.ROOT, "%.0f/s", e.getValue()));
            }
        }
        return b.toString();
    }

    static double rejected(Map<RejectReason, Double> perSecond) {
        double n = 0;
        for (double v : perSecond.values()) {
            n += v;
        }
        return n;
    }

    static String millis(double ms) {
        return ms >= 10 ? String.format(Locale.ROOT, "%.0f ms", ms) : String.format(Locale.ROOT, "%.2f ms", ms);
    }

    static String micros(double us) {
        return us >= 1000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000) : String.format(Locale.ROOT, "%.0f us", us);
    }
}
