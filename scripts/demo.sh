#!/usr/bin/env bash
# The README's first command: builds the demo and runs it, by default on an embedded H2 database in this process
# (nothing to install but a JDK 17+; Maven comes through ./mvnw). About 30 s after the build.
#
#   scripts/demo.sh                                   embedded H2
#   scripts/demo.sh --url 'jdbc:pooled:postgresql://127.0.0.1:5432/test?user=postgres'
#   scripts/demo.sh --url 'jdbc:pooled:mysql://127.0.0.1:3306/test?user=root'
#   scripts/demo.sh --help                            every option (latency, phase length, mode, report path)
#
# DEMO_SKIP_BUILD=1 reuses examples/target/pooled-demo.jar.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "demo.sh: no 'java' on the PATH; install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi
JAVA_MAJOR="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')"
JAVA_MAJOR="${JAVA_MAJOR#1.}"
if [[ -z "$JAVA_MAJOR" || "${JAVA_MAJOR%%.*}" -lt 17 ]]; then
  echo "demo.sh: Java ${JAVA_MAJOR:-?} found, the demo needs 17 or newer ($(command -v java))" >&2
  exit 1
fi
if ! command -v javac >/dev/null 2>&1; then
  echo "demo.sh: 'java' is there but 'javac' is not: the build needs a JDK, not a JRE (Debian: openjdk-17-jdk-headless)" >&2
  exit 1
fi

JAR=examples/target/pooled-demo.jar
if [[ "${DEMO_SKIP_BUILD:-0}" != 1 ]]; then
  echo "Building the demo (first time: Maven downloads the dependencies) ..."
  if [[ -x ./mvnw ]]; then MVN=./mvnw; else MVN=mvn; fi
  "$MVN" -B -q package -DskipTests -pl examples -am
fi
[[ -f "$JAR" ]] || { echo "demo.sh: $JAR is missing (build failed?)" >&2; exit 1; }
if [[ -t 1 ]]; then export DEMO_COLUMNS="$(tput cols 2>/dev/null || echo 120)"; fi
exec java -Xmx512m -jar "$JAR" --report examples/target/pooled-demo-report.html "$@"
