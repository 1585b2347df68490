#!/usr/bin/env bash
# The project's one test command.
#
# Installs (apt, only what is missing) and starts (only what is down) the
# services the tests need -- PostgreSQL on 127.0.0.1:5432, MariaDB on
# 127.0.0.1:3306, etcd on 127.0.0.1:2379 -- and a JDK 17, then runs
#   ./mvnw -B verify "$@"
# from the repository root and exits with Maven's status. Extra arguments go to
# Maven, e.g. `scripts/test.sh -DskipITs` or `scripts/test.sh -pl core -am`.
# Idempotent; meant to run as root (CI runs it through .ci/run). Only loopback
# addresses are contacted (plus Maven Central / the Debian mirror for downloads).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# shellcheck source=scripts/lib-services.sh
source "$ROOT/scripts/lib-services.sh"

t0=$(date +%s%N)
log "setting up test services (repository: $ROOT)"
ensure_packages
ensure_java
ensure_postgresql
ensure_mariadb
ensure_etcd
# Private PostgreSQL (primary + streaming standby, a small one) and MariaDB on
# other ports, for the tests that stop, fail over, restart or fill a server
# (issue 10); removed again when Maven is done.
log "private test servers (scripts/private-servers.sh up)"
"$ROOT/scripts/private-servers.sh" up
trap '"$ROOT/scripts/private-servers.sh" down || true' EXIT
t1=$(date +%s%N)

export POOLED_PG_URL=jdbc:postgresql://127.0.0.1:5432/test
export POOLED_MYSQL_URL=jdbc:mysql://127.0.0.1:3306/test
export POOLED_ETCD_ENDPOINTS=http://127.0.0.1:2379

echo
echo "postgresql: $PG_SUMMARY"
echo "mariadb:    $MY_SUMMARY"
echo "etcd:       $ETCD_SUMMARY"
echo "java:       $JAVA_SUMMARY"
echo "services ready in $(((t1 - t0) / 1000000)) ms"
echo "POOLED_PG_URL=$POOLED_PG_URL POOLED_MYSQL_URL=$POOLED_MYSQL_URL POOLED_ETCD_ENDPOINTS=$POOLED_ETCD_ENDPOINTS"
echo

export POOLED_PRIVATE_SERVERS="$ROOT/scripts/private-servers.sh"
log "./mvnw -B verify $*"
./mvnw -B verify "$@"

# A one-iteration smoke of every benchmark, so that none rots (full runs are scripts/bench.sh's). Only for the
# plain run (no Maven arguments: the build above made jmh-benchmarks/target/benchmarks.jar); about 3 minutes.
# POOLED_SKIP_BENCH_SMOKE=1 skips it.
if [[ $# -eq 0 && "${POOLED_SKIP_BENCH_SMOKE:-0}" != 1 ]]; then
  log "benchmark smoke (scripts/bench.sh --smoke)"
  BENCH_SKIP_BUILD=1 "$ROOT/scripts/bench.sh" --smoke
fi
