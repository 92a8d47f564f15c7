#!/bin/sh
# The fleet benchmark at Azure's own limits: 1,000 and 10,000 clusters over 1 and 10 subscriptions (a policy each)
# and one selector matching 1,000 tagged clusters, against the ARM emulator throttling as Azure publishes it;
# `authip run` in a forked JVM per scenario. Prints time to InSync next to the lower bound Azure's limits put on the
# requests made and their ratio, ARM requests by kind against the minimum, 429s, the steady state's reads as a share
# of the read budget, heap, RSS and CPU, and the change latency, as Markdown tables.
# Builds what it needs first. Options go to io.authip.bench.FleetBenchmark, for example:
#   bench/fleet.sh --scenario 1sub-1000          one scenario (1sub-1000, 10sub-1000, 1sub-10000, 10sub-10000,
#                                                selector1000; and the older single, fleet100, fleet1000, shared100)
#   bench/fleet.sh --no-limits                   the emulator without Azure's limits (--no-pacing: operator too)
#   bench/fleet.sh --resync-seconds 300          the resync cap (default 10 s; steady state lasts 2 of them)
#   bench/fleet.sh --xmx 384m --edits 20         the operator's heap; fewer change-latency edits
#   bench/fleet.sh --jfr                         a flight recording of each operator JVM in target/bench/
# Figures, the machine and what each column means: docs/benchmarks.md.
set -eu
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests install
exec ./mvnw -B -q -pl authip-it test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
  "-Dexec.args=-Xmx4g -cp %classpath io.authip.bench.FleetBenchmark $*"
