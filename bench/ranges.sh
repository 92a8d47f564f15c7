#!/bin/sh
# The range-engine benchmarks (JMH): canonicalize + aggregate 10,000 and 1,000,000 random prefixes
# (CidrSetBenchmark, the default), and the optimal cover of 10,000 prefixes by 200 blocks
# (bench/ranges.sh SupernetCoverBenchmark).
# Builds what it needs first (works from a clean target/). Extra arguments go to JMH, for example:
#   bench/ranges.sh -p size=1000000        only the 1,000,000 case
#   bench/ranges.sh -f 1 -wi 1 -i 1        a quick look
#   bench/ranges.sh -prof gc               allocation per operation
# Besides wall-clock time per operation it prints ":·cpu", the CPU time the benchmark JVM spent per operation,
# which other people's load on a shared machine hardly changes. Figures and the machine: docs/benchmarks.md.
set -eu
cd "$(dirname "$0")/.."
bench=CidrSetBenchmark
case "${1:-}" in
  *Benchmark) bench="$1"; shift ;;
esac
./mvnw -B -q -DskipTests install
exec ./mvnw -B -q -pl authip-it test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test \
  "-Dexec.args=-cp %classpath org.openjdk.jmh.Main io.authip.bench.${bench} -prof io.authip.bench.CpuTimeProfiler $*"
