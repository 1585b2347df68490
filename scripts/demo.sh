#!/usr/bin/env bash
# Runs the demo: a short, real workload through jdbc:pooled: against the local PostgreSQL.
# Usage: scripts/demo.sh [jdbc URL without jdbc:pooled:] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
MVN=./mvnw; [ -x "$MVN" ] || MVN=mvn
"$MVN" -B -q install -DskipTests -pl examples -am
"$MVN" -B -q -pl examples exec:java -Dexec.args="${*:-}"
