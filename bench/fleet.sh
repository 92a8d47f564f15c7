#!/usr/bin/env bash
# The fleet benchmark (docs/benchmarks.md): compiles, then runs io.authip.bench.FleetBenchmark, which forks one
# operator JVM per scenario and prints the tables. Options go through, e.g.
#   bench/fleet.sh --scenario fleet1000 --xmx 256m
# Maven runs offline when MAVEN_OFFLINE=1 (the default here: every dependency is already in ~/.m2).
set -euo pipefail
cd "$(dirname "$0")/.."
offline=()
if [[ "${MAVEN_OFFLINE:-1}" == "1" ]]; then
  offline=(-o)
fi
exec mvn -B -q "${offline[@]}" test-compile exec:exec \
  -Dexec.executable=java \
  -Dexec.classpathScope=test \
  "-Dexec.args=-Xmx1g -cp %classpath io.authip.bench.FleetBenchmark $*"
