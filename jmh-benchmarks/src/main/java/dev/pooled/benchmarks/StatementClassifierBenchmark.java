package dev.pooled.benchmarks;

import dev.pooled.jdbc.internal.tx.Dialect;
import dev.pooled.jdbc.internal.tx.StatementClassifier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What transaction mode pays to classify a statement it has not seen before (seen ones come from a per-pool cache):
 * {@link StatementClassifier#classify} on a plain statement, a pinning one and a quoted-identifier call. Was a time
 * bound in {@code StatementClassifierTest}; a bound that only holds on a quiet machine belongs here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StatementClassifierBenchmark {
    /** The statement to classify. */
    @Param({"UPDATE accounts SET balance = balance + ? WHERE id = ? AND owner = 'x' -- note\n",
        "SET search_path TO tenant_42, public",
        "SELECT pg_catalog.\"set_config\"('app.tenant', '42', false)"})
    public String sql;

    /** @return the classification, so that nothing is optimised away */
    @Benchmark
    public int classify() {
        return StatementClassifier.classify(sql, Dialect.POSTGRESQL);
    }
}
