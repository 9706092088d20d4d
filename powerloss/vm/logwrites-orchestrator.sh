#!/usr/bin/env bash
# dm-log-writes recording: for each round, puts a fresh ext4 or XFS on a dm-log-writes device
# that logs every write, flush and FUA the file system sends to its data device onto a second
# device, runs a workload hook on it, and marks the log each time the workload's oracle grows
# (label "L<lines>": the oracle had that many complete lines when the mark was sent). The host
# then replays the log to every flush point and validates each state (LogReplayCheck).
#
# Runs inside the VM guest (run-dmflakey-vm.sh --logwrites) or on any Linux host with
# device-mapper and dm-log-writes, as root.
#
# Usage:
#   logwrites-orchestrator.sh --data DEV --log DEV --rounds SPEC --results DIR [options]
# Options:
#   --data DEV        data disk, sliced into one region of --data-mib per round; DESTROYED
#   --log DEV         log disk, sliced into one region of --log-mib per round; DESTROYED
#   --rounds SPEC     comma-separated FS:HOOK pairs, one per round, e.g. ext4:workload,xfs:workload
#                     (HOOK is an executable in /payload called as HOOK STORE ORACLE SEED; it must
#                     stop by itself after DW_DURATION seconds)
#   --duration S      seconds the workload runs (passed as DW_DURATION; the hooks count from
#                     the workload's start, not the JVM's; default 10)
#   --mark-every-ms M how often the oracle is polled for a new mark (default 200)
#   --seed S          master seed (default random, printed)
#   --data-mib N      per-round data region (default 512: XFS needs 300 MiB)
#   --log-mib N       per-round log region (default 2048)
#   --results DIR     per round: the oracle and an `info` file naming the regions
#   --first-ack-timeout S   (default 300: Spring Boot starts slowly under emulation)
# Exit: 0 every round recorded, 2 setup error. Output: one "DWLOGWRITES round=" line per round.
set -euo pipefail

readonly PREFIX="datawal-lw"
export DM_DISABLE_UDEV=1 # no udev in the guest: dmsetup makes the /dev/mapper nodes itself

log() { printf '%s logwrites: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() {
  log "SETUP ERROR: $*"
  echo "DWLOGWRITES verdict=2 reason=setup-error"
  exit 2
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

DATA='' LOG='' ROUNDS='' RESULTS='' SEED='' DURATION=10 MARK_EVERY_MS=200 DATA_MIB=512
LOG_MIB=2048 FIRST_ACK_TIMEOUT=300
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --log) LOG=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --mark-every-ms) MARK_EVERY_MS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --data-mib) DATA_MIB=$2; shift 2 ;;
    --log-mib) LOG_MIB=$2; shift 2 ;;
    --first-ack-timeout) FIRST_ACK_TIMEOUT=$2; shift 2 ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "must run as root"
[ -n "$SEED" ] || SEED=$(od -An -N7 -tu8 /dev/urandom | tr -d ' ')
for v in DURATION MARK_EVERY_MS SEED DATA_MIB LOG_MIB FIRST_ACK_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[ -b "$DATA" ] || die "--data $DATA is not a block device"
[ -b "$LOG" ] || die "--log $LOG is not a block device"
[ -n "$RESULTS" ] || die "no --results directory"
IFS=, read -r -a SPECS <<<"$ROUNDS"
[ "${#SPECS[@]}" -gt 0 ] || die "no --rounds"
for spec in "${SPECS[@]}"; do
  case "${spec%%:*}" in ext4 | xfs) ;; *) die "round '$spec': file system must be ext4 or xfs" ;; esac
  [ -x "/payload/${spec#*:}" ] || die "round '$spec': no executable hook /payload/${spec#*:}"
done
for tool in dmsetup mkfs.ext4 mkfs.xfs blockdev mount umount setsid; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
modprobe dm-log-writes 2>/dev/null || true
dmsetup targets | grep -q '^log-writes' || die "no dm-log-writes target in this kernel"
DATA_SECTORS=$((DATA_MIB * 2048))
LOG_SECTORS=$((LOG_MIB * 2048))
[ "$(blockdev --getsz "$DATA")" -ge $((DATA_SECTORS * ${#SPECS[@]})) ] \
  || die "$DATA is smaller than ${#SPECS[@]} x $DATA_MIB MiB"
[ "$(blockdev --getsz "$LOG")" -ge $((LOG_SECTORS * ${#SPECS[@]})) ] \
  || die "$LOG is smaller than ${#SPECS[@]} x $LOG_MIB MiB"

WORK=/var/tmp/$PREFIX
MNT=$WORK/mnt
mkdir -p "$WORK" "$MNT" "$RESULTS"
WORKLOAD_PID=
dm_exists() { dmsetup info "$1" >/dev/null 2>&1; }
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
  local rc=$? n
  if [ -n "$WORKLOAD_PID" ]; then
    kill -KILL -- "-$WORKLOAD_PID" 2>/dev/null || true
    wait "$WORKLOAD_PID" 2>/dev/null || true
  fi
  if awk -v m="$MNT" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; then
    umount "$MNT" || umount -l "$MNT" || true
  fi
  for n in $(dmsetup ls 2>/dev/null | awk -v p="$PREFIX-" 'index($1, p) == 1 { print $1 }' | sort -r); do
    dmsetup remove "$n" 2>/dev/null || dmsetup remove --force "$n" 2>/dev/null || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

mix() { # the same 64-bit mix as dmflakey-orchestrator.sh: round seeds from the master seed alone
  local z=$(($1 + $2 * 0x9E3779B97F4A7C15))
  z=$(((z ^ ((z >> 30) & 0x3FFFFFFFF)) * 0xBF58476D1CE4E5B9))
  z=$(((z ^ ((z >> 27) & 0x1FFFFFFFFF)) * 0x94D049BB133111EB))
  echo $(((z ^ ((z >> 31) & 0x1FFFFFFFF)) & 0x7FFFFFFFFFFFFFFF))
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# Acknowledgements: P and D lines of the key/value workload's oracle, A lines of a log oracle.
acks() { if [ -f "$1" ]; then grep -c -E '^[PDA] ' "$1" || true; else echo 0; fi; }
mark() { dmsetup message "$1" 0 mark "$2" || die "dmsetup message $1 mark $2 failed"; }

log "seed=$SEED rounds=$ROUNDS duration=${DURATION}s mark_every_ms=$MARK_EVERY_MS"
echo "DWLOGWRITES start seed=$SEED rounds=$ROUNDS"
round=0
for spec in "${SPECS[@]}"; do
  round=$((round + 1))
  fs=${spec%%:*} hook=${spec#*:}
  rseed=$(mix "$SEED" "$round")
  rres="$RESULTS/round-$round"
  rdir="$WORK/round-$round"
  rm -rf "$rres" "$rdir"
  mkdir -p "$rres" "$rdir"
  oracle="$rdir/oracle"
  t0=$(now_ms)
  data="$PREFIX-data-$round" logdev="$PREFIX-log-$round" lw="$PREFIX-$round"
  kernel_lines=$(dmesg | wc -l)
  dmsetup create "$data" --table "0 $DATA_SECTORS linear $DATA $(((round - 1) * DATA_SECTORS))" \
    || die "dmsetup create $data failed"
  dmsetup create "$logdev" --table "0 $LOG_SECTORS linear $LOG $(((round - 1) * LOG_SECTORS))" \
    || die "dmsetup create $logdev failed"
  dmsetup mknodes
  # The log begins here: everything from mkfs on is in it, so replay starts from a zeroed device.
  dmsetup create "$lw" --table "0 $DATA_SECTORS log-writes /dev/mapper/$data /dev/mapper/$logdev" \
    || die "dmsetup create $lw (log-writes) failed"
  dmsetup mknodes
  dev="/dev/mapper/$lw"
  [ -b "$dev" ] || die "$dev did not appear"
  # No discards (they would be logged as zeroing whole regions) and no lazy initialisation (a
  # background thread writing inode tables during the workload would only lengthen the log).
  case "$fs" in
    ext4) mkfs.ext4 -q -F -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "$dev" ;;
    xfs) mkfs.xfs -q -f -K "$dev" ;;
  esac || die "mkfs.$fs failed"
  mark "$lw" mkfs
  mount -t "$fs" "$dev" "$MNT" || die "mount $fs failed"
  mark "$lw" mounted

  DW_STORE_DIR="$MNT/store" DW_ORACLE="$oracle" DW_SEED="$rseed" DW_ROUND="$round" \
    DW_DURATION="$DURATION" setsid "/payload/$hook" "$MNT/store" "$oracle" "$rseed" \
    >"$rdir/workload.log" 2>&1 </dev/null &
  WORKLOAD_PID=$!
  # One mark per poll in which the oracle grew. The label is the line count read before the mark
  # is sent: every write the lines' acks needed completed before it, so is logged before it.
  marks=0 last=-1 first_ack_ms=
  # A bound against a hung workload only: a hook may run by op count rather than by time.
  deadline=$(($(now_ms) + (FIRST_ACK_TIMEOUT + DURATION + 900) * 1000))
  while kill -0 "$WORKLOAD_PID" 2>/dev/null; do
    n=$(lines "$oracle")
    if [ "$n" != "$last" ]; then
      mark "$lw" "L$n"
      marks=$((marks + 1)) last=$n
    fi
    if [ -z "$first_ack_ms" ] && [ "$(acks "$oracle")" -gt 0 ]; then first_ack_ms=$(now_ms); fi
    [ "$(now_ms)" -lt "$deadline" ] || die "round $round: the workload did not finish in time"
    sleep "$((MARK_EVERY_MS / 1000)).$(printf '%03d' $((MARK_EVERY_MS % 1000)))"
  done
  wstatus=0
  wait "$WORKLOAD_PID" || wstatus=$?
  WORKLOAD_PID=
  n=$(lines "$oracle")
  mark "$lw" "L$n"
  marks=$((marks + 1))
  cp "$rdir/workload.log" "$rres/"
  if [ "$wstatus" -ne 0 ] || [ -z "$first_ack_ms" ]; then
    tail -n 20 "$rdir/workload.log" | sed 's/^/  workload: /'
    die "round $round: workload exited $wstatus with $(acks "$oracle") acknowledgements"
  fi
  # What maintenance left: segment files (the first id shows how many older ones compaction or
  # retention deleted) and whether a key-directory snapshot was written.
  ls -l "$MNT/store" >"$rres/store-files" 2>&1 || true
  segments=$(find "$MNT/store" -maxdepth 1 -name '*.dwal' | sort)
  first_segment=$(basename "$(head -n1 <<<"$segments")" .dwal)
  snapshot=no
  if [ -e "$MNT/store/keydir.snapshot" ]; then snapshot=yes; fi
  umount "$MNT" || die "umount after round $round failed"
  mark "$lw" unmounted
  # Removing the target writes the log's end mark and its final entry count.
  dmsetup remove "$lw" || die "dmsetup remove $lw failed"
  dmsetup remove "$logdev" || die "dmsetup remove $logdev failed"
  dmsetup remove "$data" || die "dmsetup remove $data failed"
  # The target stops logging, and says so only here, if its log device fills up or fails: a log
  # that silently ends early would still replay cleanly, so that is a setup error.
  if dmesg | tail -n +$((kernel_lines + 1)) | grep -i 'log-writes' >"$rres/kernel.log"; then
    cat "$rres/kernel.log"
    die "round $round: dm-log-writes reported a problem (above); its log is incomplete"
  fi
  cp "$oracle" "$rres/oracle"
  acked=$(acks "$oracle")
  cat >"$rres/info" <<EOF
round=$round
fs=$fs
hook=$hook
seed=$rseed
data_offset_mib=$(((round - 1) * DATA_MIB))
data_mib=$DATA_MIB
log_offset_mib=$(((round - 1) * LOG_MIB))
log_mib=$LOG_MIB
oracle_lines=$n
acks=$acked
marks=$marks
EOF
  summary="round=$round fs=$fs hook=$hook seed=$rseed acks=$acked oracle_lines=$n marks=$marks"
  summary+=" segments=$(grep -c . <<<"$segments") first_segment=$first_segment snapshot=$snapshot"
  summary+=" first_ack_ms=$((first_ack_ms - t0)) round_ms=$(($(now_ms) - t0))"
  echo "DWLOGWRITES $summary"
  rm -rf "$rdir"
done
echo "DWLOGWRITES verdict=0 rounds=$round seed=$SEED"
