#!/bin/sh
# The fleet benchmark: 1, 100 and 1,000 policies with a cluster each, and one policy over 100 clusters sharing their
# egress, against the ARM emulator; `authip run` in a forked JVM per scenario. Prints time to InSync, ARM requests
# by kind against the minimum, heap, RSS and CPU, the steady state and the change latency, as Markdown tables.
# Builds what it needs first. Options go to io.authip.bench.FleetBenchmark, for example:
#   bench/fleet.sh --scenario fleet1000          one scenario (single, fleet100, fleet1000, shared100)
#   bench/fleet.sh --xmx 384m --edits 20         the operator's heap; fewer change-latency edits
#   bench/fleet.sh --jfr                         a flight recording of each operator JVM in target/bench/
# Figures, the machine and what each column means: docs/benchmarks.md.
set -eu
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests install
exec ./mvnw -B -q -pl authip-it test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
  "-Dexec.args=-Xmx1g -cp %classpath io.authip.bench.FleetBenchmark $*"
