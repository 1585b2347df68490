#!/usr/bin/env bash
# Benchmarks for Pooled JDBC, with raw HikariCP 7.1.0 as the baseline in the same run.
#
#   scripts/bench.sh              full run (~6-8 min on 2 vCPU): JMH t=1 and t=8 with -prof gc, the cost of each
#                                 metrics recording (MetricsCostBenchmark), load runs against
#                                 PostgreSQL (8 and 64 threads, both targets, interleaved), connect-per-txn
#   scripts/bench.sh --smoke      one tiny iteration of each, for CI (~1.5 min)
#   scripts/bench.sh --rounds N   repeat the load and connect-per-txn runs N times (order reversed every other round)
#   scripts/bench.sh --diagnose   also load runs with pooled-ds (PooledDataSource, no DriverManager) at 8 and 64
#                                 threads, to split the gap to HikariCP into DriverManager and library (~1 min more)
#   scripts/bench.sh --summarize DIR   only (re)write DIR/summary.md from the raw files of an earlier run
#   scripts/bench.sh --only LIST  run only these sections (comma-separated; default all):
#                                 jmh    AcquireReleaseBenchmark t=1/8 + MetricsCostBenchmark (engine room)
#                                 peers  PeerBench: every in-process peer at 1/4/8 threads, -prof gc, and the
#                                        rejection paths against a HikariCP connectionTimeout wait (~11 min)
#                                 load   PostgreSQL acquire at 8 threads (nominal) and 64 (6.4x oversubscribed),
#                                        connect-per-txn plain vs pooled
#                                 burst  150 % of capacity, open loop, 200 threads: HikariCP vs pooled
#                                 hop    SELECT/UPDATE mix: HikariCP direct, pooled session/transaction, HikariCP
#                                        through PgBouncer; connect-per-txn plain / PgBouncer / pooled
#                                 txmode TransactionModeBench: 200 threads over 10 connections (transaction mode,
#                                        pooled.reset=always and =minimal) vs session mode with 10 threads vs raw
#                                        HikariCP with 200 threads
#
# PgBouncer (hop): Debian's pgbouncer, installed with apt-get when missing (as root), started from a scratch config
# as user postgres on 127.0.0.1:$BENCH_PGB_PORT (default 6439), transaction pooling, default_pool_size 10, and
# stopped at the end. Nothing of the shared PostgreSQL is changed.
#
# Needs PostgreSQL at $BENCH_PG_HOST:$BENCH_PG_PORT (default 127.0.0.1:5432), database $BENCH_PG_DB (test), user
# $BENCH_PG_USER (postgres) with trust auth. BENCH_ALLOW_NO_DB=1 skips the database runs when it is not reachable
# (otherwise that is an error). BENCH_SKIP_BUILD=1 reuses jmh-benchmarks/target/benchmarks.jar.
# Results: stdout, and jmh-benchmarks/target/bench-results/<UTC time>-<full|smoke>/ (latest -> newest run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SMOKE=0
DIAGNOSE=0
ROUNDS=1
SUMMARIZE=
ONLY=",jmh,peers,load,burst,hop,txmode,"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --diagnose) DIAGNOSE=1 ;;
    --rounds) ROUNDS="${2:?--rounds needs a number}"; shift ;;
    --summarize) SUMMARIZE="${2:?--summarize needs a results directory}"; shift ;;
    --only) ONLY=",${2:?--only needs a list},"; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --rounds must be a positive number" >&2; exit 2; }
for s in ${ONLY//,/ }; do
  case "$s" in jmh|peers|load|burst|hop|txmode) ;; *) echo "bench.sh: --only: unknown section '$s' (allowed: jmh, peers, load, burst, hop, txmode)" >&2; exit 2 ;; esac
done
want() { [[ "$ONLY" == *",$1,"* ]]; }
PGB_PORT="${BENCH_PGB_PORT:-6439}"

PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${BENCH_PG_PORT:-5432}"
PG_DB="${BENCH_PG_DB:-test}"
PG_USER="${BENCH_PG_USER:-postgres}"
JAR=jmh-benchmarks/target/benchmarks.jar

if [[ "$SMOKE" == 1 ]]; then
  KIND=smoke
  JMH_TIMING=(-f 1 -wi 0 -i 1 -r 200ms -w 200ms)
  LOAD_WARMUP=0
  LOAD_MEASURE=1
else
  KIND=full
  JMH_TIMING=(-f 1 -wi 3 -i 5 -w 2s -r 2s)
  LOAD_WARMUP=5
  LOAD_MEASURE=15
fi

RESULTS_ROOT=jmh-benchmarks/target/bench-results
OUT="$RESULTS_ROOT/$(date -u +%Y%m%dT%H%M%SZ)-$KIND"

log() { printf '\n=== %s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# --- summary -------------------------------------------------------------------------------------------------------
summarize() { # results directory
  local OUT="$1" KIND
  KIND="$(basename "$(cd "$OUT" && pwd -P)" | sed 's/.*-//')"
{
  echo "# Benchmark summary ($KIND, $(date -u +%FT%TZ))"
  echo
  if [[ -s "$OUT/jmh-t1.txt" ]]; then
  echo "## JMH AcquireReleaseBenchmark (ops/ms, higher is better)"
  echo
  echo "| threads | pool | ops/ms | ± (99.9 %) | gc.alloc.rate.norm (B/op) | ratio to hikari |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for t in 1 8; do
    awk -v t="$t" '
      # "name pool mode [cnt] score [± error] unit": cnt is absent when there was a single iteration
      function parse(   i) {
        s = ""; e = "-"
        for (i = 4; i <= NF; i++) {
          if ($i ~ /^[0-9]*\.[0-9]+$/ && s == "") s = $i
          else if ($i == "±") { e = $(i + 1); i++ }
        }
      }
      $1 == "AcquireReleaseBenchmark.cycle" && $3 == "thrpt" {
        parse(); score[$2] = s + 0; err[$2] = e; order[++n] = $2 }
      $1 == "AcquireReleaseBenchmark.cycle:gc.alloc.rate.norm" { parse(); norm[$2] = s }
      END {
        for (i = 1; i <= n; i++) {
          p = order[i]
          ratio = (("hikari" in score) && score["hikari"] > 0) ? sprintf("%.2f", score[p] / score["hikari"]) : "-"
          printf "| %s | %s | %.0f | %s | %s | %s |\n", t, p, score[p], err[p], (p in norm) ? norm[p] : "-", ratio
        }
      }' "$OUT/jmh-t$t.txt"
  done
  echo
  fi
  if [[ -s "$OUT/peers/peer-summary.md" ]]; then
    echo "## Peers (PeerBench: one JMH invocation, -prof gc)"
    echo
    sed 's/^### /#### /' "$OUT/peers/peer-summary.md"
  fi
  for f in burst hop txmode; do
    [[ -s "$OUT/$f.txt" ]] || continue
    echo "## $f (RESULT lines)"
    echo
    echo '```'
    grep -h '^RESULT\|^SUMMARY' "$OUT/$f.txt" | sed 's/ warmup_ops=[^ ]*//; s/ warmup_errors=[^ ]*//; s/ fill_ms=[^ ]*//' || true
    echo '```'
    echo
  done
  if [[ -s "$OUT/runs.txt" ]]; then
    echo "## Load against PostgreSQL (pool of 10; latencies in µs)"
    echo
    echo "| mode | target | threads | ops/s | acquire p50 | p99 | p99.9 | max | op mean | op p99 | errors | pool |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    awk '
      $1 == "RESULT" {
        delete f
        for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f["mode"], f["target"],
          f["threads"], f["tput_ops_s"], f["acq_p50_us"], f["acq_p99_us"], f["acq_p999_us"], f["acq_max_us"],
          f["op_mean_us"], f["op_p99_us"], f["errors"],
          (f["physical_min"] == "-") ? "-" : f["physical_min"] "-" f["physical_end"]
        key = f["mode"] " " f["threads"]
        tput[key, f["target"]] += f["tput_ops_s"]; runs[key, f["target"]]++
        p99[key, f["target"]] = p99[key, f["target"]] " " f["acq_p99_us"]
        keys[key] = 1
      }
      END {
        print ""
        print "Throughput ratio pooled / baseline (mean over rounds):"
        for (k in keys) {
          base = ((k, "hikari") in tput) ? "hikari" : "plain"
          if (((k, base) in tput) && ((k, "pooled") in tput) && tput[k, base] > 0)
            printf "- %s threads: pooled %.0f vs %s %.0f ops/s = %.2fx; acquire p99 (us) pooled:%s  %s:%s\n", k,
              tput[k, "pooled"] / runs[k, "pooled"], base, tput[k, base] / runs[k, base],
              (tput[k, "pooled"] / runs[k, "pooled"]) / (tput[k, base] / runs[k, base]), p99[k, "pooled"], base, p99[k, base]
        }
      }' "$OUT/runs.txt"
    echo
  fi
  if compgen -G "$OUT/diag-*.txt" >/dev/null; then
    echo "## Diagnostics (--diagnose)"
    echo
    echo '```'
    grep -h '^RESULT' "$OUT"/diag-acquire-*.txt 2>/dev/null || true
    echo '```'
    echo
  fi
  echo "Raw output, activity samples and JMH JSON: $OUT"
} > "$OUT/summary.md"
}

if [[ -n "$SUMMARIZE" ]]; then
  summarize "$SUMMARIZE"
  cat "$SUMMARIZE/summary.md"
  exit 0
fi

# --- build -------------------------------------------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  log "building $JAR"
  if [[ -x ./mvnw ]]; then MVN=./mvnw; else MVN=mvn; fi
  "$MVN" -B -q package -DskipTests -pl jmh-benchmarks -am
fi
[[ -f "$JAR" ]] || { echo "bench.sh: $JAR is missing" >&2; exit 1; }
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" "$RESULTS_ROOT/latest"

# --- what ran where ----------------------------------------------------------------------------------------------
{
  echo "kind: $KIND   rounds: $ROUNDS   diagnose: $DIAGNOSE   started: $(date -u +%FT%TZ)"
  echo "cpus: $(nproc)   $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null || true)"
  echo "memory: $(free -h 2>/dev/null | awk '/^Mem:/{print $2}')   loadavg at start: $(cat /proc/loadavg)"
  java -version 2>&1
  echo "postgres: $PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
  echo "git HEAD: $(git rev-parse --short HEAD 2>/dev/null || echo '(no git)')"
  echo "library sources (sha256 of core + jdbc-driver-wrapper main sources):"
  find core/src/main jdbc-driver-wrapper/src/main -type f 2>/dev/null | LC_ALL=C sort | xargs cat 2>/dev/null \
    | sha256sum | cut -d' ' -f1
  git status --short 2>/dev/null | head -40 || true
} > "$OUT/env.txt"
cat "$OUT/env.txt"

# Other work on the machine skews every figure: sample load and the busiest processes while we run.
(
  while :; do
    {
      echo "--- $(date -u +%T) loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
      top -b -c -n 2 -d 1 -w 200 2>/dev/null | awk '/^top -/{n++} n==2' | sed -n '8,12p'
    } >> "$OUT/activity.txt"
    sleep 9
  done
) &
SAMPLER=$!
trap 'kill "$SAMPLER" 2>/dev/null || true' EXIT

# --- JMH: getConnection()+close() over the stub driver ---------------------------------------------------------
if want jmh; then
for t in 1 8; do
  log "JMH AcquireReleaseBenchmark, $t thread(s)"
  java -jar "$JAR" AcquireReleaseBenchmark "${JMH_TIMING[@]}" -t "$t" -prof gc -jvmArgs "-Xms1g -Xmx1g" \
    -rf json -rff "$OUT/jmh-t$t.json" 2>&1 | tee "$OUT/jmh-t$t.txt"
done
# What each recording costs on its own (clock reads, Micrometer timers, HdrHistogram): explains the metrics rows.
log "JMH MetricsCostBenchmark"
java -jar "$JAR" MetricsCostBenchmark "${JMH_TIMING[@]}" -rf json -rff "$OUT/jmh-metrics-cost.json" 2>&1 \
  | tee "$OUT/jmh-metrics-cost.txt"
fi

# --- peers: every in-process pool/wrapper side by side, one JMH invocation (PeerBench) ----------------------------
if want peers; then
  log "PeerBench (PeerAcquireBenchmark t=1/4/8, RejectionBenchmark t=1/8, -prof gc)"
  java -cp "$JAR" dev.pooled.benchmarks.PeerBench $([[ "$SMOKE" == 1 ]] && echo --smoke) --out "$OUT/peers" 2>&1 \
    | tee "$OUT/peers.txt"
fi

# --- load against PostgreSQL ---------------------------------------------------------------------------------------
if want load || want burst || want hop || want txmode; then
db_ok=1
if command -v pg_isready >/dev/null 2>&1; then
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -d "$PG_DB" -U "$PG_USER" -t 10 || db_ok=0
fi
if [[ "$db_ok" == 0 ]]; then
  if [[ "${BENCH_ALLOW_NO_DB:-0}" == 1 ]]; then
    log "PostgreSQL at $PG_HOST:$PG_PORT is not reachable: SKIPPING the load runs (BENCH_ALLOW_NO_DB=1)"
  else
    echo "bench.sh: PostgreSQL at $PG_HOST:$PG_PORT is not reachable (set BENCH_ALLOW_NO_DB=1 to skip)" >&2
    exit 1
  fi
fi

else
db_ok=0
fi

load() { # mode target threads
  local name="$1-$2-$3"
  log "load $name (warm-up ${LOAD_WARMUP}s, measured ${LOAD_MEASURE}s)"
  java -cp "$JAR" dev.pooled.benchmarks.LoadBench --mode "$1" --target "$2" --threads "$3" \
    --warmup "$LOAD_WARMUP" --measure "$LOAD_MEASURE" \
    --host "$PG_HOST" --port "$PG_PORT" --db "$PG_DB" --user "$PG_USER" 2>&1 | tee -a "$OUT/load-$name.txt" "$OUT/runs.txt"
  sleep 1
}

# One LoadBench run into section file $1 (burst|hop); the rest are LoadBench options.
loadx() {
  local file="$1"; shift
  log "$file: LoadBench $*"
  java -cp "$JAR" dev.pooled.benchmarks.LoadBench --warmup "$LOAD_WARMUP" --measure "$LOAD_MEASURE" \
    --host "$PG_HOST" --port "$PG_PORT" --db "$PG_DB" --user "$PG_USER" --bouncer-port "$PGB_PORT" "$@" 2>&1 \
    | tee -a "$OUT/$file.txt"
  sleep 1
}

PGB_DIR=
pgbouncer_start() {
  if ! command -v pgbouncer >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      log "installing Debian's pgbouncer (apt-get)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; }
    else
      echo "bench.sh: pgbouncer is not installed and this is not root: skipping the PgBouncer runs" >&2
      return 1
    fi
  fi
  PGB_DIR="$(mktemp -d /tmp/pooled-bench-pgbouncer.XXXXXX)"
  cat > "$PGB_DIR/pgbouncer.ini" <<INI
[databases]
$PG_DB = host=$PG_HOST port=$PG_PORT dbname=$PG_DB user=$PG_USER
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
default_pool_size = 10
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
log_connections = 0
log_disconnections = 0
INI
  printf '"%s" ""\n' "$PG_USER" > "$PGB_DIR/userlist.txt"
  # PgBouncer refuses to run as root.
  if [[ "$(id -u)" == 0 ]]; then
    chown -R postgres "$PGB_DIR"
    runuser -u postgres -- pgbouncer -d "$PGB_DIR/pgbouncer.ini"
  else
    pgbouncer -d "$PGB_DIR/pgbouncer.ini"
  fi
  for _ in $(seq 1 50); do
    [[ -s "$PGB_DIR/pgbouncer.pid" ]] && break
    sleep 0.1
  done
  [[ -s "$PGB_DIR/pgbouncer.pid" ]] || { echo "bench.sh: pgbouncer did not start: $(tail -5 "$PGB_DIR/pgbouncer.log" 2>/dev/null)" >&2; return 1; }
  log "pgbouncer $(pgbouncer --version | head -1) on 127.0.0.1:$PGB_PORT (pid $(cat "$PGB_DIR/pgbouncer.pid"))"
}
pgbouncer_stop() {
  if [[ -n "$PGB_DIR" && -s "$PGB_DIR/pgbouncer.pid" ]]; then
    kill -INT "$(cat "$PGB_DIR/pgbouncer.pid")" 2>/dev/null || true
    sleep 0.5
  fi
  [[ -n "$PGB_DIR" ]] && rm -rf "$PGB_DIR"
  PGB_DIR=
}
trap 'kill "$SAMPLER" 2>/dev/null || true; pgbouncer_stop' EXIT

if [[ "$db_ok" == 1 ]] && want load; then
  ACQUIRE_ORDER=("hikari 8" "pooled 8" "pooled 64" "hikari 64")
  CPT_ORDER=("plain 8" "pooled 8")
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2 == 1)); then a=(0 1 2 3); c=(0 1); else a=(3 2 1 0); c=(1 0); fi
    for i in "${a[@]}"; do load acquire ${ACQUIRE_ORDER[$i]}; done
    for i in "${c[@]}"; do load connect-per-txn ${CPT_ORDER[$i]}; done
  done
fi

# --- 150 % of capacity: an open loop at 1.5x what HikariCP serves at 64 threads ----------------------------------------
if [[ "$db_ok" == 1 ]] && want burst; then
  CAP="$(awk '$1 == "RESULT" { delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
              if (f["mode"] == "acquire" && f["target"] == "hikari" && f["threads"] == 64) { s += f["tput_ops_s"]; n++ } }
              END { if (n) printf "%.0f", s / n }' "$OUT/runs.txt" 2>/dev/null || true)"
  if [[ -z "$CAP" ]]; then
    loadx burst --mode acquire --target hikari --threads 64 --label capacity
    CAP="$(awk '$1 == "RESULT" && /label=capacity/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "tput_ops_s") print kv[2] } }' "$OUT/burst.txt" | tail -1)"
  fi
  RATE=$(( ${CAP:-1000} * 3 / 2 ))
  log "burst: capacity ~${CAP} ops/s (HikariCP, 64 threads, closed loop): offering ${RATE} ops/s"
  for r in $(seq 1 "$ROUNDS"); do
    loadx burst --mode acquire --target hikari --threads 200 --rate "$RATE" --timeout-ms 250 --label "burst150-r$r"
    loadx burst --mode acquire --target pooled --threads 200 --rate "$RATE" --timeout-ms 250 --max-queue 20 \
      --label "burst150-r$r"
  done
fi

# --- the network hop we remove: the same SELECT/UPDATE mix direct, in-process, and through PgBouncer -----------------
if [[ "$db_ok" == 1 ]] && want hop; then
  PGB_OK=0
  pgbouncer_start && PGB_OK=1
  for r in $(seq 1 "$ROUNDS"); do
    T=(hikari pooled-session pooled-transaction hikari-pgbouncer)
    ((r % 2 == 0)) && T=(hikari-pgbouncer pooled-transaction pooled-session hikari)
    for t in "${T[@]}"; do
      case "$t" in
        hikari) loadx hop --work mix --mode acquire --target hikari --threads 16 --label "hop-r$r" ;;
        pooled-session) loadx hop --work mix --mode acquire --target pooled --pool-mode session --threads 16 --label "hop-r$r" ;;
        pooled-transaction) loadx hop --work mix --mode acquire --target pooled --pool-mode transaction --threads 16 --label "hop-r$r" ;;
        hikari-pgbouncer) [[ "$PGB_OK" == 1 ]] && loadx hop --work mix --mode acquire --target hikari-pgbouncer --threads 16 --label "hop-r$r" ;;
      esac
    done
    loadx hop --work mix --mode connect-per-txn --target plain --threads 16 --label "hop-cpt-r$r"
    [[ "$PGB_OK" == 1 ]] && loadx hop --work mix --mode connect-per-txn --target pgbouncer --threads 16 --label "hop-cpt-r$r"
    loadx hop --work mix --mode connect-per-txn --target pooled --threads 16 --label "hop-cpt-r$r"
  done
  pgbouncer_stop
fi

# --- transaction mode: 200 callers over 10 connections ------------------------------------------------------------
if [[ "$db_ok" == 1 ]] && want txmode; then
  # transaction = pooled.reset=always (the default), transaction-minimal = pooled.reset=minimal.
  log "TransactionModeBench session,transaction,transaction-minimal,hikari-wide"
  if [[ "$SMOKE" == 1 ]]; then TXR=(--rounds 1 --warmup 0.5 --measure 1); else TXR=(--rounds $((ROUNDS * 3)) --warmup 2 --measure 5); fi
  java -cp "$JAR" dev.pooled.benchmarks.TransactionModeBench "${TXR[@]}" --modes session,transaction,transaction-minimal,hikari-wide \
    --host "$PG_HOST" --port "$PG_PORT" --db "$PG_DB" --user "$PG_USER" 2>&1 | tee "$OUT/txmode.txt"
fi

# --- diagnostics (--diagnose) ---------------------------------------------------------------------------------------
if [[ "$DIAGNOSE" == 1 ]]; then
  if [[ "$db_ok" == 1 ]]; then
    for n in 8 64; do
      name="acquire-pooled-ds-$n"
      log "diagnostic: load $name"
      java -cp "$JAR" dev.pooled.benchmarks.LoadBench --mode acquire --target pooled-ds --threads "$n" \
        --warmup "$LOAD_WARMUP" --measure "$LOAD_MEASURE" \
        --host "$PG_HOST" --port "$PG_PORT" --db "$PG_DB" --user "$PG_USER" 2>&1 | tee -a "$OUT/diag-$name.txt"
      sleep 1
    done
  fi
fi

summarize "$OUT"
log "summary"
cat "$OUT/summary.md"
