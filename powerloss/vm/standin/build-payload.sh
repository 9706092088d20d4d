#!/usr/bin/env bash
# Builds the stand-in payload for run-dmflakey-vm.sh into OUT_DIR: standin.jar (compiled here
# with javac --release 17, never committed) and the two hooks the orchestrator calls,
# `workload` and `validate`. The sample app's workload mode and the real validator replace this
# payload later with the same two hooks (see powerloss/vm/README.md, "Hooks").
#
# Usage: build-payload.sh [--ack-before-force] OUT_DIR
#   --ack-before-force   build the writer with a deliberate bug (ack, then force) to prove the
#                        harness reports lost acknowledged writes (expected verdict: 1)
# Exit: 0 ok, 2 setup error (no JDK 17+, compile failed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bug_flag=
if [ "${1:-}" = --ack-before-force ]; then bug_flag=" -Dstandin.ackBeforeForce=true"; shift; fi
out=${1:?usage: build-payload.sh [--ack-before-force] OUT_DIR}
die() { echo "build-payload: ERROR: $*" >&2; exit 2; }

command -v javac >/dev/null || die "javac not found (a JDK 17 or newer is needed on the host)"
command -v jar >/dev/null || die "jar not found (a JDK 17 or newer is needed on the host)"
mkdir -p "$out"
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
javac --release 17 -Xlint:all -Werror -d "$classes" "$here"/Standin*.java \
  || die "javac failed"
jar cf "$out/standin.jar" -C "$classes" .

# The JVM options are for the emulated guest, where startup time dominates: C1 only, serial GC,
# a small heap. They change nothing the workload or validator checks.
# shellcheck disable=SC2016 # the $ expansions belong to the hook, not to this script
{
  echo '#!/bin/sh'
  echo '# Hook: workload STORE_DIR ORACLE_FILE SEED (see powerloss/vm/README.md).'
  echo "exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m$bug_flag \\"
  echo '  -cp "$(dirname "$0")/standin.jar" StandinWriter "$1" "$2" "$3"'
} >"$out/workload"
cat >"$out/validate" <<'HOOK'
#!/bin/sh
# Hook: validate STORE_DIR ORACLE_AT_CUT ACKS_OWED SEED (see powerloss/vm/README.md).
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m \
  -cp "$(dirname "$0")/standin.jar" StandinValidator "$1" "$2" "$3" "$4"
HOOK
chmod 755 "$out/workload" "$out/validate"
echo "build-payload: stand-in payload in $out" >&2
