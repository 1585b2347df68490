#!/usr/bin/env bash
# Engine-room benchmark (issue 8): AcquireReleaseBenchmark.cycle at 1, 4 and 8 threads, ROUNDS rounds interleaved,
# each round one JMH invocation per thread count with every pool compared, then the rejection benchmark.
# Prints per-run ratios and their medians (scripts/engine-bench-summary.py). Results: $OUT/*.json.
# With --cpu: the same pools measured in CPU time per operation (dev.pooled.benchmarks.CpuCost, one JVM per pool, pools
# interleaved within each round), which moves far less with other processes' load than JMH's wall-clock ops/ms.
# Usage: scripts/engine-bench.sh [--cpu] [rounds] (default 3). Build first:
#   ./mvnw -B -q package -DskipTests -pl jmh-benchmarks -am
set -euo pipefail
cd "$(dirname "$0")/.."
CPU=0
if [ "${1:-}" = "--cpu" ]; then CPU=1; shift; fi
ROUNDS=${1:-3}
OUT=${OUT:-target/engine-bench}
JAR=${JAR:-jmh-benchmarks/target/benchmarks.jar}
POOLS=${POOLS:-hikari,pooled,pooled-driver,driver-floor,hikari-prometheus,pooled-prometheus}
mkdir -p "$OUT"
if [ "$CPU" = 1 ]; then
  for r in $(seq 1 "$ROUNDS"); do
    for t in 1 4 8; do
      for p in ${POOLS//,/ }; do
        java -Xms1g -Xmx1g -cp "$JAR" dev.pooled.benchmarks.CpuCost "$p" "$t" 4 4 2>/dev/null | grep '^CPU' \
          | sed "s/^CPU /CPU round=$r /" | tee -a "$OUT/cpu.txt"
      done
    done
  done
  python3 scripts/engine-bench-summary.py "$OUT"
  exit 0
fi
# -Djmh.ignoreLock: the machine may run another JMH (other benchmarks); ratios are taken within one invocation.
for r in $(seq 1 "$ROUNDS"); do
  for t in 1 4 8; do
    java -Djmh.ignoreLock=true -jar "$JAR" 'AcquireReleaseBenchmark.cycle' -f 1 -wi 3 -i 5 -w 1s -r 1s -t "$t" \
      -prof gc -p pool="$POOLS" -rf json -rff "$OUT/cycle-t$t-r$r.json" > "$OUT/cycle-t$t-r$r.txt" 2>&1
  done
done
for r in $(seq 1 "$ROUNDS"); do
  java -Djmh.ignoreLock=true -jar "$JAR" 'AcquireReleaseBenchmark.Rejection' -f 1 -wi 3 -i 5 -w 1s -r 1s -t 1 \
    -rf json -rff "$OUT/reject-r$r.json" > "$OUT/reject-r$r.txt" 2>&1
done
python3 scripts/engine-bench-summary.py "$OUT"
