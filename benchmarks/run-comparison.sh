#!/usr/bin/env bash
# Runs the side-by-side comparison of datawal with SQLite, RocksDB, H2 MVStore, Tape, Chronicle
# Queue and hand-written JSONL (issue 7), and with two FileChannel baselines (issue 16), then
# regenerates the report's tables, its "Goals of issue 16" table and its plots.
#
#   benchmarks/run-comparison.sh full    # the report: docs/benchmarks.md + docs/benchmarks/*.png
#   benchmarks/run-comparison.sh quick   # smoke run: benchmarks/results/quick/ only, docs untouched
#   benchmarks/run-comparison.sh goals   # the full sizes (200k and 1M keys, 1M puts) with shorter
#                                        # JMH trials (1 warm-up and 3 measured iterations of 3 s;
#                                        # reopen 1 + 5 shots): benchmarks/results/goals/ only, its
#                                        # report and goals table there, docs untouched
#
# Workloads (JMH invocations, each its own results file), and what ONLY calls them:
#   durable-1   PeerWriteBenchmark.writers1, durable: every store, plus the baselines append-loop
#               (a frame-sized record appended to a growing file, force(false) per put) and
#               prealloc-loop (the same records overwriting a 64 MiB file written with zeros at
#               open, force(false) per put, wrapping at its end)
#   durable-n   writers4 and writers16, durable: the stores that take concurrent writers
#   unsynced-1  writers1, unsynced: every store but Tape, plus append-loop (never forced)
#   latency     writeLatency, durable, 1 writer: every store
#   get         PeerGetBenchmark: 1 thread, 2 threads, and 1-thread latency percentiles, at 200,000
#               and 1,000,000 keys (quick: 10,000), key/value stores
#   reopen      PeerReopenBenchmark: open + first get at 200,000 and 1,000,000 records (quick:
#               10,000), key/value stores
#   disk        DiskUsage: disk bytes per live record before and after compaction
#
# full took 48 min 45 s (measured on 2026-12-06, plus the build) on the 2-core machine of
# docs/benchmarks.md: run it on a quiet machine, nothing else running; quick took 2 min 36 s before
# issue 16 added its trials (measured, plus the build). Environment:
#   DATAWAL_BENCH_DIR  where stores are written (default: the JVM's temp dir; same disk for all)
#   SKIP_BUILD=1       use the existing benchmarks/target/benchmarks.jar
#   JAVA=...           the java that runs everything (default: java on the PATH): the JMH runner,
#                      its forks (passed as -jvm), DiskUsage and the report. A glob is expanded,
#                      e.g. JAVA='/usr/lib/jvm/temurin-25*/bin/java'. The jar is built for Java 17.
#                      On Java 22+ the forks and DiskUsage get --enable-native-access=ALL-UNNAMED
#                      (datawal's flock and unmapping, RocksDB's JNI library). The report's header names the
#                      JDK of the results, read from JMH's JSON.
#   REPORT_SUFFIX=...  appended to the results directory, the document and the plots directory,
#                      so runs on different JDKs keep their own: with REPORT_SUFFIX=-jdk25, full
#                      writes benchmarks/results/full-jdk25/, docs/benchmarks-jdk25.md and
#                      docs/benchmarks-jdk25/*.png (quick: benchmarks/results/quick-jdk25/).
#                      Default: empty on Java 17, "-jdk<N>" on any other Java N; set it empty
#                      (REPORT_SUFFIX=) to write the default places from another JDK.
#   ONLY=a,b           run only these workloads (names above), e.g. ONLY=durable-1,get. A partial
#                      run never touches docs/ nor the full run's results: it writes its results,
#                      report (comparison.md) and plots to benchmarks/results/<mode><suffix>-partial/,
#                      and the report's goals without results say "not run".
set -euo pipefail

mode="${1:-quick}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

workloads=(durable-1 durable-n unsynced-1 latency get reopen disk)
only="${ONLY:-}"
if [[ -n "$only" ]]; then
  for w in ${only//,/ }; do
    [[ " ${workloads[*]} " == *" $w "* ]] || {
      echo "ONLY: unknown workload '$w' (known: ${workloads[*]})" >&2
      exit 2
    }
  done
fi
want() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }

java_bin="${JAVA:-java}"
if [[ "$java_bin" == *[*?[]* ]]; then
  java_bin="$(compgen -G "$java_bin" | sort | tail -n 1 || true)"
  [[ -n "$java_bin" ]] || { echo "JAVA=$JAVA matches no file" >&2; exit 2; }
fi
java_bin="$(readlink -f "$(command -v "$java_bin" || true)" || true)"
[[ -n "$java_bin" && -x "$java_bin" ]] || { echo "JAVA=${JAVA:-java}: no such java" >&2; exit 2; }
java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java\.specification\.version = //p')"
java_major="${java_major#1.}"
if [[ "$java_major" == 17 ]]; then default_suffix=""; else default_suffix="-jdk$java_major"; fi
suffix="${REPORT_SUFFIX-$default_suffix}"

case "$mode" in
  full)
    jmh=(-f 1 -wi 2 -w 2s -i 5 -r 5s)
    reopen=(-f 1 -wi 2 -i 10)
    keys=200000,1000000
    puts=1000000
    doc="docs/benchmarks$suffix.md"
    plots="docs/benchmarks$suffix"
    ;;
  goals)
    jmh=(-f 1 -wi 1 -w 2s -i 3 -r 3s)
    reopen=(-f 1 -wi 1 -i 5)
    keys=200000,1000000
    puts=1000000
    ;;
  quick)
    jmh=(-f 1 -wi 0 -i 1 -r 1s)
    reopen=(-f 1 -wi 0 -i 2)
    keys=10000
    puts=20000
    ;;
  *)
    echo "usage: $0 quick|goals|full" >&2
    exit 2
    ;;
esac
results="benchmarks/results/$mode$suffix${only:+-partial}"
if [[ "$mode" != full || -n "$only" ]]; then
  doc="$results/comparison.md"
  plots="$results"
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -pl benchmarks -am package -DskipTests
fi
jar="benchmarks/target/benchmarks.jar"
rm -rf "$results"
mkdir -p "$results"
{
  echo "mode: $mode${only:+ (ONLY=$only)}"
  echo "java: $java_bin"
  "$java_bin" -version 2>&1
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$results/run.txt"
echo "java $java_major ($java_bin); results in $results, report $doc"

# Prepended, not appended: JMH's -jvmArgsAppend would replace the @Fork(jvmArgsAppend) of the
# benchmark classes (-Xmx and Chronicle Queue's --add-opens) instead of adding to them.
fork_args=()
if [[ -n "${DATAWAL_BENCH_DIR:-}" ]]; then
  fork_args+=("-Ddatawal.bench.dir=$DATAWAL_BENCH_DIR")
fi
if (( java_major >= 22 )); then
  fork_args+=("--enable-native-access=ALL-UNNAMED")
fi
props=(-jvm "$java_bin")
if (( ${#fork_args[@]} > 0 )); then
  props+=(-jvmArgsPrepend "${fork_args[*]}")
fi

stores=datawal,sqlite,rocksdb,mvstore,tape,chronicle,jsonl
durable1=$stores,append-loop,prealloc-loop
concurrent=datawal,sqlite,rocksdb,mvstore,chronicle
unsynced=datawal,sqlite,rocksdb,mvstore,chronicle,jsonl,append-loop # Tape, prealloc-loop: durable only
kv=datawal,sqlite,rocksdb,mvstore

run() { # name, then JMH arguments; skipped unless ONLY selects it
  local name="$1"
  shift
  want "$name" || return 0
  echo "== $name"
  "$java_bin" -jar "$jar" "$@" "${props[@]}" -foe true -rf json -rff "$results/$name.json" \
    | tee "$results/$name.log" | grep -E '^(Peer|# Run complete|# Benchmark:)' || true
  grep -q 'Run complete' "$results/$name.log" || { echo "JMH run $name failed" >&2; exit 1; }
}

start=$(date +%s)
run durable-1 'PeerWriteBenchmark\.writers1$' -p mode=durable -p peer=$durable1 -p valueSize=100,1024 "${jmh[@]}"
run durable-n 'PeerWriteBenchmark\.writers(4|16)$' -p mode=durable -p peer=$concurrent -p valueSize=100,1024 "${jmh[@]}"
run unsynced-1 'PeerWriteBenchmark\.writers1$' -p mode=unsynced -p peer=$unsynced -p valueSize=100,1024 "${jmh[@]}"
run latency 'PeerWriteBenchmark\.writeLatency$' -p mode=durable -p peer=$stores -p valueSize=100,1024 "${jmh[@]}"
run get 'PeerGetBenchmark' -p peer=$kv -p keys=$keys "${jmh[@]}"
run reopen 'PeerReopenBenchmark' -p peer=$kv -p keys=$keys "${reopen[@]}"
if want disk; then
  echo "== disk usage"
  "$java_bin" "${fork_args[@]}" -Xmx4g \
    -cp "$jar" dev.datawal.benchmarks.peers.DiskUsage "$puts" "$results/disk-usage.csv" $kv
fi
echo "== report"
"$java_bin" -Djava.awt.headless=true -cp "$jar" dev.datawal.benchmarks.peers.ComparisonReport \
  "$results" "$doc" "$plots"
echo "done in $(( $(date +%s) - start )) s: $doc, plots in $plots, raw results in $results"
