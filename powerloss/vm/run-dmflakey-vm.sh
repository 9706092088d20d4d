#!/usr/bin/env bash
# Runs the dm-flakey power-cut orchestrator inside a qemu guest (software emulation), for hosts
# whose kernel has no device-mapper. Builds or reuses the cached guest (build-guest.sh), boots
# it on a throwaway snapshot of the root image with a blank scratch disk, a payload disk
# (workload and validate hooks + the orchestrator) and a results disk, and brings back the
# verdict (serial console) and the logs (results disk, read with debugfs, no mount).
#
# With --logwrites, it records instead: each round's file system sits on a dm-log-writes device
# (logwrites-orchestrator.sh), and after the VM has stopped every round's log is replayed on this
# host to each flush point, mounted and validated (LogReplayCheck, from the payload's jars).
#
# Usage: run-dmflakey-vm.sh [--payload DIR] [--rounds N] [--seed S] [--modes M]
#                           [--results DIR] [--timeout SECS] [--memory MB] [--keep]
#                           [--guest-main FILE]
#        run-dmflakey-vm.sh --logwrites SPEC --payload DIR [--duration S] [--replay-sample N]
#                           [--mark-every-ms M] [--seed S] [--results DIR] [--timeout SECS]
#   --payload DIR   holds executable `workload` and `validate` hooks and whatever they need
#                   (see README.md, "Hooks"); default: the stand-in payload, built now
#   --rounds N      fault rounds (default 4: two drop_writes, two error_writes)
#   --seed S        master seed (default random, printed)
#   --modes M       alternate | drop_writes | error_writes | random (default alternate)
#   --results DIR   where logs and evidence land (default: a new dir under /var/tmp)
#   --timeout SECS  hard bound on the VM (default 120 + 90 per round)
#   --memory MB     guest memory (default 1536)
#   --keep          keep the disk images even when every round passed
#   --guest-main F  run F in the guest instead of the orchestrator (self-tests, debugging);
#                   its exit code is the verdict
#   --logwrites SPEC  record and replay instead: comma-separated FS:HOOK rounds, e.g.
#                   ext4:workload,xfs:workload-maintenance (the payload needs powerloss.jar and
#                   datawal-engine.jar, as build-app-payload.sh makes it)
#   --duration S    with --logwrites: seconds each workload runs (default 10)
#   --replay-sample N  with --logwrites: check N seeded flush points per round plus every mark
#                   (default 0: every flush point)
#   --mark-every-ms M  with --logwrites: how often the oracle is polled for a mark (default 200)
# Env: DATAWAL_VM_CACHE (see build-guest.sh); DATAWAL_VM_REQUIRE=1 turns "skipped" into exit 2
#      (for a CI job that must not silently skip); DATAWAL_REPLAY_DIR: where --logwrites makes
#      its replay scratch directory (default /dev/shm, a tmpfs: each state is a copy of a device).
# Exit: 0 every round passed, or skipped (not root / no qemu: the reason is printed);
#       1 an invariant was violated; 2 setup error (including a VM that did not finish).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'run-dmflakey-vm: %s\n' "$*"; }
die() { log "SETUP ERROR: $*"; exit 2; }
skip() {
  if [ "${DATAWAL_VM_REQUIRE:-0}" = 1 ]; then die "cannot run ($*) and DATAWAL_VM_REQUIRE=1"; fi
  log "SKIPPED: $*"
  exit 0
}

payload=
rounds=4
seed=
modes=alternate
results=
timeout_s=
memory=1536
keep=0
guest_main=
logwrites=
duration=10
replay_sample=0
mark_every_ms=200
while [ $# -gt 0 ]; do
  case "$1" in
    --payload) payload=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --guest-main) guest_main=$2; shift 2 ;;
    --logwrites) logwrites=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --replay-sample) replay_sample=$2; shift 2 ;;
    --mark-every-ms) mark_every_ms=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[ -z "$seed" ] || [[ $seed =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
[ -n "$seed" ] || seed=$(od -An -N7 -tu8 /dev/urandom | tr -d ' ')
lw_rounds=0
if [ -n "$logwrites" ]; then
  [ -n "$payload" ] || die "--logwrites needs --payload (build-app-payload.sh DIR)"
  for v in duration replay_sample mark_every_ms; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "--${v//_/-} must be a non-negative integer"
  done
  IFS=, read -r -a lw_specs <<<"$logwrites"
  lw_rounds=${#lw_specs[@]}
  # Boot, then per round: Spring Boot's start under emulation, the workload, mkfs and teardown.
  timeout_s=${timeout_s:-$((180 + lw_rounds * (300 + duration)))}
fi
timeout_s=${timeout_s:-$((120 + 90 * rounds))}

# --- can this machine run it at all? Every "no" is a skip with the reason, never a failure. ---
[ "$(id -u)" -eq 0 ] || skip "needs root (apt-get for qemu/debootstrap, debootstrap, mkfs -d)"
if ! command -v qemu-system-x86_64 >/dev/null; then
  log "qemu-system-x86_64 missing: installing qemu-system-x86"
  apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends qemu-system-x86 \
    >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q -o DPkg::Lock::Timeout=300 \
      --no-install-recommends qemu-system-x86 >/dev/null 2>&1; } \
    || skip "qemu-system-x86 cannot be installed with apt-get"
fi
qemu_version=$(qemu-system-x86_64 --version 2>&1 | head -n1) \
  || skip "qemu-system-x86_64 does not run: $qemu_version"
command -v debugfs >/dev/null || die "debugfs (e2fsprogs) not found"

# --- the guest (cached) and a per-run directory for everything this run writes ---
t_start=$(date +%s)
guest=$("$here/build-guest.sh" | tail -n1) || die "building the guest failed (see above)"
t_built=$(date +%s)
run=$(mktemp -d "${TMPDIR:-/var/tmp}/datawal-vm-run.XXXXXX")
results=${results:-$run/results}
mkdir -p "$results"
log "guest $guest ($(grep '^kernel=' "$guest/manifest" | cut -d= -f2-))"
what="rounds $rounds, modes $modes"
if [ -n "$logwrites" ]; then
  what="logwrites $logwrites, duration ${duration}s, replay sample $replay_sample"
fi
log "run dir $run, results $results, seed $seed, $what, timeout ${timeout_s}s"

verdict=2
# shellcheck disable=SC2317 # called from the EXIT trap
finish() {
  # Disk images are large and sparse; keep them only as evidence of a failed run or on request.
  rm -rf "$run/payload"
  if [ "$verdict" -eq 0 ] && [ "$keep" -eq 0 ]; then
    rm -f "$run"/*.img "$run"/*.raw "$run/serial.log"
    rmdir "$run" 2>/dev/null || true
  fi
}
trap finish EXIT

# --- payload disk: the hooks, the orchestrator, and the guest's entry point ---
mkdir -p "$run/payload"
if [ -z "$payload" ]; then
  log "no --payload: building the stand-in payload (standin/build-payload.sh)"
  "$here/standin/build-payload.sh" "$run/payload" || die "building the stand-in payload failed"
else
  [ -d "$payload" ] || die "--payload $payload is not a directory"
  cp -a "$payload/." "$run/payload/"
fi
for hook in workload validate; do
  [ -x "$run/payload/$hook" ] || die "payload has no executable '$hook' hook"
done
if [ -n "$logwrites" ]; then
  for jar in powerloss.jar datawal-engine.jar; do
    [ -f "$run/payload/$jar" ] || die "--logwrites: payload has no $jar to replay with"
  done
fi
cp "$here/dmflakey-orchestrator.sh" "$here/logwrites-orchestrator.sh" "$run/payload/"
# The guest's init runs /payload/guest-main and prints "DWVM-EXIT <its exit code>".
# Disks, by attach order: vda root (snapshot), vdb scratch, vdc payload (ro), vdd results.
if [ -n "$guest_main" ]; then
  [ -f "$guest_main" ] || die "--guest-main $guest_main not found"
  cp "$guest_main" "$run/payload/guest-main"
elif [ -n "$logwrites" ]; then
  # Disks vde (data) and vdf (log) hold one region per round.
  cat >"$run/payload/guest-main" <<EOF
#!/bin/bash
set -euo pipefail
echo "DWVM guest kernel \$(uname -r), \$(nproc) cpus"
exec /payload/logwrites-orchestrator.sh --data /dev/vde --log /dev/vdf --rounds $logwrites \\
  --duration $duration --mark-every-ms $mark_every_ms --seed $seed --results /results/logwrites
EOF
else
  cat >"$run/payload/guest-main" <<EOF
#!/bin/bash
set -euo pipefail
echo "DWVM guest kernel \$(uname -r), \$(nproc) cpus, \$(awk '/MemTotal/ { print \$2 / 1024 " MiB" }' /proc/meminfo)"
# A payload may set orchestrator options through its environment (DW_ACK_REGEX, ...).
if [ -f /payload/hooks.env ]; then set -a; . /payload/hooks.env; set +a; fi
exec /payload/dmflakey-orchestrator.sh --device /dev/vdb \\
  --workload /payload/workload --validate /payload/validate \\
  --rounds $rounds --seed $seed --modes $modes \\
  --work /var/tmp/datawal-flakey --results /results/orchestrator
EOF
fi
chmod 755 "$run/payload/guest-main" "$run/payload/dmflakey-orchestrator.sh" \
  "$run/payload/logwrites-orchestrator.sh"
payload_mib=$(($(du -sm "$run/payload" | cut -f1) + 16))
mkfs.ext4 -q -F -L dwpayload -d "$run/payload" "$run/payload.img" "${payload_mib}M" \
  >/dev/null || die "mkfs.ext4 -d of the payload disk failed"
# Scratch disk (blank, the orchestrator puts ext4 on it every round) and results disk.
truncate -s 512M "$run/scratch.raw"
mkfs.ext4 -q -F -L dwresults "$run/results.img" 256M >/dev/null
# --logwrites: sparse data and log disks, one region per round (sizes as logwrites-orchestrator.sh).
readonly LW_DATA_MIB=512 LW_LOG_MIB=2048
extra_drives=()
if [ -n "$logwrites" ]; then
  truncate -s $((lw_rounds * LW_DATA_MIB))M "$run/lw-data.raw"
  truncate -s $((lw_rounds * LW_LOG_MIB))M "$run/lw-log.raw"
  extra_drives=(-drive "file=$run/lw-data.raw,if=virtio,format=raw"
    -drive "file=$run/lw-log.raw,if=virtio,format=raw")
fi

# --- boot: TCG only (never -enable-kvm: this host's KVM cannot run a stock guest), no network,
# no reboot, panic=-1, and a hard timeout so a hung guest cannot hang CI. ---
log "booting ($qemu_version)"
t_boot=$(date +%s)
set +e
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
  -machine pc -accel tcg -m "$memory" -smp 2 -nographic -no-reboot -nic none \
  -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
  -append "console=ttyS0 panic=-1 quiet loglevel=3" \
  -drive "file=$guest/root.img,if=virtio,format=raw,snapshot=on" \
  -drive "file=$run/scratch.raw,if=virtio,format=raw" \
  -drive "file=$run/payload.img,if=virtio,format=raw,readonly=on" \
  -drive "file=$run/results.img,if=virtio,format=raw" "${extra_drives[@]}" \
  </dev/null 2>&1 | tr -d '\r' | tee "$run/serial.log" | sed -u 's/^/vm| /'
qemu_rc=${PIPESTATUS[0]}
set -e
t_end=$(date +%s)
cp "$run/serial.log" "$results/serial.log"

# --- bring the results disk back without mounting it ---
debugfs -R "rdump / $results" "$run/results.img" >/dev/null 2>&1 \
  || log "warning: could not read the results disk with debugfs"
rm -rf "$results/lost+found"

guest_rc=$(sed -n 's/^DWVM-EXIT \([0-9]*\).*/\1/p' "$run/serial.log" | tail -n1)
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
  log "the VM did not finish within ${timeout_s}s (timeout exit $qemu_rc)"
  guest_rc=
fi
case "$guest_rc" in
  0 | 1 | 2) verdict=$guest_rc ;;
  "") log "no DWVM-EXIT line on the serial console (qemu exit $qemu_rc)"; verdict=2 ;;
  *) log "orchestrator exited $guest_rc (not 0/1/2): setup error"; verdict=2 ;;
esac

echo
log "rounds:"
grep -E '^(DWFLAKEY|DWLOGWRITES)' "$run/serial.log" | sed 's/^/  /' || true

# --logwrites: replay every recorded round on this host (its kernel mounts and recovers each
# state), in a scratch directory on tmpfs when there is one: each state is a copy of the device.
if [ -n "$logwrites" ] && [ "$verdict" -eq 0 ]; then
  java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  replay_root=${DATAWAL_REPLAY_DIR:-$([ -w /dev/shm ] && echo /dev/shm || echo "$run")}
  scratch=$(mktemp -d "$replay_root/datawal-replay.XXXXXX")
  replayed=0
  for info in "$results"/logwrites/round-*/info; do
    [ -f "$info" ] || continue
    rdir=$(dirname "$info")
    field() { sed -n "s/^$1=//p" "$info"; }
    r=$(field round)
    dd if="$run/lw-log.raw" of="$scratch/round-$r.log" bs=1M status=none conv=sparse \
      skip="$(field log_offset_mib)" count="$(field log_mib)"
    set +e
    "$java" -XX:+UseSerialGC -cp "$run/payload/powerloss.jar:$run/payload/datawal-engine.jar" \
      dev.datawal.powerloss.LogReplayCheck --log="$scratch/round-$r.log" --oracle="$rdir/oracle" \
      --fs="$(field fs)" --device-bytes=$(($(field data_mib) << 20)) --work="$scratch/work-$r" \
      --sample="$replay_sample" --seed="$(field seed)" --name="round-$r-$(field fs)-$(field hook)" \
      2>&1 | tee "$rdir/replay.log" | grep -E '^(LOGREPLAY|  )'
    replay_rc=${PIPESTATUS[0]}
    set -e
    replayed=$((replayed + 1))
    if [ "$replay_rc" -ne 0 ]; then
      # Keep what rebuilds every state (the log) and the failed states' images and reports.
      cp --sparse=always "$scratch/round-$r.log" "$rdir/"
      if [ -d "$scratch/work-$r" ]; then cp -a "$scratch/work-$r" "$rdir/evidence"; fi
      if [ "$replay_rc" -eq 1 ]; then verdict=1; elif [ "$verdict" -eq 0 ]; then verdict=2; fi
    fi
    rm -rf "$scratch/round-$r.log" "$scratch/work-$r"
  done
  rm -rf "$scratch"
  if [ "$replayed" -ne "$lw_rounds" ]; then
    log "only $replayed of $lw_rounds rounds came back from the guest"
    verdict=2
  fi
  log "replay summary:"
  grep -h '^LOGREPLAY name=' "$results"/logwrites/round-*/replay.log | sed 's/^/  /' || true
  # States replayed per file system, over every round.
  grep -h '^LOGREPLAY name=' "$results"/logwrites/round-*/replay.log | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      states[f["fs"]] += f["states"]; failed[f["fs"]] += f["failed"] }
    END { for (fs in states) printf "run-dmflakey-vm: replayed %s: %d states, %d failed\n", fs, states[fs], failed[fs] }' \
    | sort || true
fi
log "timings: guest build/cache $((t_built - t_start))s, VM (boot + rounds + poweroff)" \
  "$((t_end - t_boot))s, total $((t_end - t_start))s"
log "results in $results$([ "$verdict" -ne 0 ] && echo "; disk images kept in $run")"
case "$verdict" in
  0) log "VERDICT: PASS (exit 0)" ;;
  1) log "VERDICT: INVARIANT VIOLATED (exit 1)" ;;
  *) log "VERDICT: SETUP ERROR (exit 2)" ;;
esac
exit "$verdict"
