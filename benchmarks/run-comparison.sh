#!/usr/bin/env bash
# Runs the side-by-side comparison of datawal with SQLite, RocksDB, H2 MVStore, Tape, Chronicle
# Queue and hand-written JSONL (issue 7), then regenerates the report's tables and plots.
#
#   benchmarks/run-comparison.sh full    # the report: docs/benchmarks.md + docs/benchmarks/*.png
#   benchmarks/run-comparison.sh quick   # smoke run: benchmarks/results/quick/ only, docs untouched
#
# full took 38 min 47 s (measured, plus the build) on the 2-core machine of docs/benchmarks.md:
# run it on a quiet machine, nothing else running; quick took 2 min 36 s (measured, plus the
# build). Environment:
#   DATAWAL_BENCH_DIR  where stores are written (default: the JVM's temp dir; same disk for all)
#   SKIP_BUILD=1       use the existing benchmarks/target/benchmarks.jar
set -euo pipefail

mode="${1:-quick}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

case "$mode" in
  full)
    jmh=(-f 1 -wi 2 -w 2s -i 5 -r 5s)
    reopen=(-f 1 -wi 2 -i 10)
    keys=1000000
    puts=1000000
    results="benchmarks/results/full"
    doc="docs/benchmarks.md"
    plots="docs/benchmarks"
    ;;
  quick)
    jmh=(-f 1 -wi 0 -i 1 -r 1s)
    reopen=(-f 1 -wi 0 -i 2)
    keys=10000
    puts=20000
    results="benchmarks/results/quick"
    doc="$results/comparison.md"
    plots="$results"
    ;;
  *)
    echo "usage: $0 quick|full" >&2
    exit 2
    ;;
esac

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi
jar="benchmarks/target/benchmarks.jar"
rm -rf "$results"
mkdir -p "$results"
props=()
if [[ -n "${DATAWAL_BENCH_DIR:-}" ]]; then
  props=(-jvmArgsAppend "-Ddatawal.bench.dir=$DATAWAL_BENCH_DIR")
fi

all=datawal,sqlite,rocksdb,mvstore,tape,chronicle,jsonl
concurrent=datawal,sqlite,rocksdb,mvstore,chronicle
unsynced=datawal,sqlite,rocksdb,mvstore,chronicle,jsonl # Tape has no unsynced mode
kv=datawal,sqlite,rocksdb,mvstore

run() { # name, then JMH arguments
  local name="$1"
  shift
  echo "== $name"
  java -jar "$jar" "$@" "${props[@]}" -foe true -rf json -rff "$results/$name.json" \
    | tee "$results/$name.log" | grep -E '^(Peer|# Run complete|# Benchmark:)' || true
  grep -q 'Run complete' "$results/$name.log" || { echo "JMH run $name failed" >&2; exit 1; }
}

start=$(date +%s)
run durable-1 'PeerWriteBenchmark\.writers1$' -p mode=durable -p peer=$all -p valueSize=100,1024 "${jmh[@]}"
run durable-n 'PeerWriteBenchmark\.writers(4|16)$' -p mode=durable -p peer=$concurrent -p valueSize=100,1024 "${jmh[@]}"
run unsynced-1 'PeerWriteBenchmark\.writers1$' -p mode=unsynced -p peer=$unsynced -p valueSize=100,1024 "${jmh[@]}"
run latency 'PeerWriteBenchmark\.writeLatency$' -p mode=durable -p peer=$all -p valueSize=100,1024 "${jmh[@]}"
run get 'PeerGetBenchmark' -p peer=$kv -p keys=$keys "${jmh[@]}"
run reopen 'PeerReopenBenchmark' -p peer=$kv -p keys=$keys "${reopen[@]}"
echo "== disk usage"
java ${DATAWAL_BENCH_DIR:+-Ddatawal.bench.dir=$DATAWAL_BENCH_DIR} -Xmx4g \
  -cp "$jar" dev.datawal.benchmarks.peers.DiskUsage "$puts" "$results/disk-usage.csv" $kv
echo "== report"
java -Djava.awt.headless=true -cp "$jar" dev.datawal.benchmarks.peers.ComparisonReport \
  "$results" "$doc" "$plots"
echo "done in $(( $(date +%s) - start )) s: $doc, plots in $plots, raw results in $results"
