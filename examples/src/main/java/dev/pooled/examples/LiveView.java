package dev.pooled.examples;

import dev.pooled.RejectReason;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The one line per refresh that the terminal shows, and the line that closes each phase. */
final class LiveView {
    private LiveView() {
    }

    /** @return the live line for the pools that matter in {@code phase} */
    static String line(Demo.Phase phase, List<Demo.Timeline.Sample> samples, double t) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%5.1fs ", t));
        if (phase.key().equals("budget")) {
            for (Demo.Timeline.Sample s : samples) {
                if (s.budgeted()) {
                    b.append(String.format(Locale.ROOT, "| %s p%d share %d in use %d queue %d served %.0f/s rej %.0f/s ",
                            s.pool(), s.priority(), s.budgetShare(), s.active(), s.queue(), s.served(),
                            rejected(s.rejections())));
                }
            }
            return b.toString();
        }
        Demo.Timeline.Sample s = samples.get(0);
        b.append(String.format(Locale.ROOT, "limit %d  size %d (lambda*W %.1f)  in use %d  queue %d/%d  wait p99 %s  "
                        + "served %.0f/s", s.limit(), s.total(), s.offeredLoad(), s.active(), s.queue(), s.maxQueue(),
                millis(s.waitP99()), s.served()));
        String rej = reasons(s.rejections());
        b.append(rej.isEmpty() ? "  rejected 0" : "  rejected " + rej);
        if (s.rejectP99Micros() > 0) {
            b.append(String.format(Locale.ROOT, " (p99 %s)", micros(s.rejectP99Micros())));
        }
        if (s.dbErrors() > 0) {
            b.append(String.format(Locale.ROOT, "  db errors %.0f/s", s.dbErrors()));
        }
        b.append("  breaker ").append(s.breaker().toLowerCase(Locale.ROOT));
        return b.toString();
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
