package dev.pooled.benchmarks;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One JMH invocation for the peer comparison: {@link PeerAcquireBenchmark} at 1, 4 and 8 threads and
 * {@link RejectionBenchmark} at 1 and 8 threads, all with {@code -prof gc}; prints one Markdown table per benchmark
 * with every peer's ratio to raw HikariCP at the same thread count, and writes the JMH JSON beside it.
 *
 * <p>Arguments: {@code [--smoke] [--out DIR]}. {@code --smoke} = one 200 ms iteration, no warm-up: for CI, to keep
 * every benchmark runnable; its numbers mean nothing.
 */
public final class PeerBench {
    private PeerBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        Path out = Paths.get("jmh-benchmarks", "target", "peer-bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke":
                    smoke = true;
                    break;
                case "--out":
                    out = Paths.get(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i] + " (allowed: --smoke, --out DIR)");
            }
        }
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder();
        for (int t : new int[] {1, 4, 8}) {
            md.append(table("PeerAcquireBenchmark.cycle, " + t + " thread(s), ops/ms (higher is better)", "pool",
                    "hikari", run(PeerAcquireBenchmark.class, t, smoke, out.resolve("peer-acquire-t" + t + ".json")),
                    false));
        }
        for (int t : new int[] {1, 8}) {
            md.append(table("RejectionBenchmark.rejected, " + t + " thread(s), us per refused getConnection (lower is "
                            + "better)", "path", "hikari-timeout",
                    run(RejectionBenchmark.class, t, smoke, out.resolve("rejection-t" + t + ".json")), true));
        }
        Files.writeString(out.resolve("peer-summary.md"), md, StandardCharsets.UTF_8);
        PrintStream o = System.out;
        o.println();
        o.println(md);
        o.println("Written: " + out.resolve("peer-summary.md"));
    }

    private static Collection<RunResult> run(Class<?> bench, int threads, boolean smoke, Path json) throws Exception {
        ChainedOptionsBuilder b = new OptionsBuilder().include(bench.getName() + "\\.").threads(threads)
                .addProfiler(GCProfiler.class).forks(1).resultFormat(ResultFormatType.JSON).result(json.toString());
        if (smoke) {
            b.warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
        }
        return new Runner(b.build()).run();
    }

    private static String table(String title, String param, String baseline, Collection<RunResult> results,
            boolean lowerIsBetter) {
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (RunResult r : results) {
            Result<?> p = r.getPrimaryResult();
            double alloc = Double.NaN;
            for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    alloc = e.getValue().getScore();
                }
            }
            rows.put(r.getParams().getParam(param), new double[] {p.getScore(), p.getScoreError(), alloc});
        }
        double base = rows.containsKey(baseline) ? rows.get(baseline)[0] : Double.NaN;
        List<String> lines = new ArrayList<>();
        lines.add("### " + title);
        lines.add("");
        lines.add("| " + param + " | score | ± (99.9 %) | B/op | " + (lowerIsBetter ? baseline + " / score (times faster)"
                : "ratio to " + baseline) + " |");
        lines.add("| --- | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            double[] v = e.getValue();
            String ratio = Double.isNaN(base) || base == 0 || v[0] == 0 ? "-"
                    : String.format(Locale.ROOT, "%.3f", lowerIsBetter ? base / v[0] : v[0] / base);
            lines.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |", e.getKey(), num(v[0]),
                    Double.isNaN(v[1]) ? "-" : num(v[1]), Double.isNaN(v[2]) ? "-" : String.format(Locale.ROOT,
                            "%.0f", v[2]), ratio));
        }
        lines.add("");
        return String.join("\n", lines) + "\n";
    }

    private static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
