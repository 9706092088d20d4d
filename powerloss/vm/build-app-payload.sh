#!/usr/bin/env bash
# Builds the dm-flakey payload that runs the real thing: the sample app's workload mode (the
# reference power-loss workload through the auto-configured DataWal bean) as the WORKLOAD hook,
# and the powerloss Validator as the VALIDATE hook. Usage: build-app-payload.sh DIR
# Packages the modules it needs first (tests skipped; CI has run them already).
set -euo pipefail

die() { echo "build-app-payload: $*" >&2; exit 2; }
[ $# -eq 1 ] || die "usage: build-app-payload.sh DIR"
out=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

(cd "$repo" && ./mvnw -q -B -ntp -pl sample-app,powerloss -am package -DskipTests) \
  || die "building the sample app and the validator failed"
version=$(cd "$repo" && sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
app="$repo/sample-app/target/sample-app-$version-exec.jar"
validator="$repo/powerloss/target/powerloss-$version.jar"
engine="$repo/datawal-engine/target/datawal-engine-$version.jar"
for jar in "$app" "$validator" "$engine"; do
  [ -f "$jar" ] || die "$jar was not built"
done

mkdir -p "$out"
cp "$app" "$out/sample-app.jar"
cp "$validator" "$out/powerloss.jar"
cp "$engine" "$out/datawal-engine.jar"

# WORKLOAD STORE_DIR ORACLE SEED: the app's workload mode until it is killed, or for DW_DURATION
# seconds if that is set, or for DW_OPS ops if that is set (then the app closes the store and exits
# 0). The seed also picks 1, 2, 4 or 8 writers sharing group commit. Quick JIT and a small heap:
# the guest is emulated. Extra arguments for the app may come in DW_APP_ARGS.
cat >"$out/workload" <<'HOOK'
#!/bin/bash
set -euo pipefail
store=$1 oracle=$2 seed=$3
writers=${DW_WRITERS:-$((1 << (seed % 4)))}
limit="--sample.workload.ops=0 --sample.workload.duration=${DW_DURATION:-3600}s"
if [ -n "${DW_OPS:-}" ]; then limit="--sample.workload.ops=$DW_OPS"; fi
# shellcheck disable=SC2086 # $limit and DW_APP_ARGS are lists of arguments
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx384m -jar /payload/sample-app.jar \
  --spring.main.banner-mode=off --spring.profiles.active=workload \
  --datawal.dir="$store" --sample.events-dir="/var/tmp/datawal-events-$$" \
  --sample.workload.seed="$seed" $limit \
  --sample.workload.concurrency="$writers" --sample.workload.oracle="$oracle" ${DW_APP_ARGS:-}
HOOK

# workload-maintenance STORE_DIR ORACLE SEED: the same workload with 8 writers on 256 KiB segments,
# compacted every second whenever any of it is garbage: the store rotates segments, compacts,
# deletes the compacted segments and writes a key-directory snapshot after each compaction and at
# close, all while acknowledged writes are being cut. It runs 8,000 ops, however long that takes
# (DW_DURATION does not apply): the workload's 4,096 keys repeat only after 4,096 ops, and until
# then nothing is garbage; after that every op makes some.
cat >"$out/workload-maintenance" <<'HOOK'
#!/bin/bash
export DW_WRITERS=8 DW_OPS=8000
export DW_APP_ARGS="--datawal.segment.max-size=256KB --datawal.compaction.interval=1s --datawal.compaction.min-garbage-ratio=0.01"
exec /payload/workload "$@"
HOOK

# VALIDATE STORE_DIR ORACLE_AT_CUT ACKS_OWED SEED: the oracle at the cut holds exactly what was
# owed (its P/D lines) and what was in flight (its I lines without an acknowledgement).
cat >"$out/validate" <<'HOOK'
#!/bin/bash
set -euo pipefail
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -cp /payload/powerloss.jar:/payload/datawal-engine.jar dev.datawal.powerloss.Validator "$1" "$2"
HOOK
# workload-retention STORE_DIR ORACLE SEED: not the app but the engine's plain log with retention
# (RetentionWorkload: 16 KiB segments, retention to 64 KiB every 50 appends, one writer), for
# DW_DURATION seconds; its oracle is a log oracle, which the replay checks with LogValidator.
cat >"$out/workload-retention" <<'HOOK'
#!/bin/bash
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m \
  -cp /payload/powerloss.jar:/payload/datawal-engine.jar dev.datawal.powerloss.RetentionWorkload \
  "$1" "$2" "$3" "${DW_DURATION:-3600}"
HOOK
chmod 755 "$out/workload" "$out/workload-maintenance" "$out/workload-retention" "$out/validate"

# Orchestrator settings: only P and D lines are acknowledgements (the oracle also has a header
# and "I" lines); Spring Boot starts slowly under emulation; after a failed write or fsync the
# engine's WriterPoisonedException ("datawal: writer poisoned: ...") ends the workload.
cat >"$out/hooks.env" <<'ENV'
DW_ACK_REGEX='^[PD] '
DW_FIRST_ACK_TIMEOUT=300
DW_POISON_REGEX='datawal: writer poisoned'
ENV
echo "$out"
