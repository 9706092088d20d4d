#!/usr/bin/env bash
# dm-flakey power-cut orchestrator: for each seeded round, puts a fresh ext4 on a dm-flakey
# device over a scratch disk, runs the WORKLOAD hook on it, and while writes are in flight flips
# the device to drop_writes or error_writes (a block device that stops persisting). It records
# how many acknowledgements were owed at that instant, stops the workload, remounts on a healthy
# table (journal replay, nothing cached) and runs the VALIDATE hook.
#
# error_window is the fsync-failure round ("Can applications recover from fsync failures?"): the
# device fails every write for --error-window-ms, then heals while the workload is still running.
# An engine that retried a failed fsync, or carried on after it, would now see its syncs succeed
# again and acknowledge writes whose earlier data the kernel had already dropped. So the round
# demands that the workload reports a poisoned writer (--poison-regex), that no acknowledgement
# follows the heal,
# and that the store holds every acknowledgement the workload ever wrote, including those written
# while writes were failing (the validator gets the whole oracle).
#
# Runs inside the VM guest (run-dmflakey-vm.sh) or on any Linux host with device-mapper, as root.
#
# Usage:
#   dmflakey-orchestrator.sh --device DEV --workload CMD --validate CMD [options]
#   dmflakey-orchestrator.sh --cleanup        remove every datawal-flakey-* device and its mount
# Options (each also settable by the environment variable in brackets):
#   --device DEV        scratch block device, DESTROYED every round [DW_DEVICE]
#   --workload CMD      shell command; called as: CMD STORE_DIR ORACLE_FILE SEED [DW_WORKLOAD]
#   --validate CMD      shell command; called as: CMD STORE_DIR ORACLE_AT_CUT ACKS_OWED SEED
#                       [DW_VALIDATE]; exit 0 pass, 1 invariant violated, else setup error
#   --rounds N          default 4 [DW_ROUNDS]
#   --seed S            master seed, default random and printed [DW_SEED]
#   --modes M           alternate (default: drop_writes, error_writes, ...), cycle (drop_writes,
#                       error_writes, error_window, ...), drop_writes, error_writes,
#                       error_window or random (seeded, of the first two) [DW_MODES]
#   --error-window-ms MS   how long error_window fails writes before it heals (default 1000)
#                       [DW_ERROR_WINDOW_MS]
#   --poison-regex RE   what the workload's output must match after an error_window round to show
#                       that the engine stopped on the failure (extended regex); unset: not
#                       checked [DW_POISON_REGEX]
#   --work DIR          oracle files and per-round scratch; must NOT be on DEV
#                       (default /var/tmp/datawal-flakey) [DW_WORK_DIR]
#   --results DIR       verdict, logs, and evidence of failed rounds (default WORK/results)
#                       [DW_RESULTS_DIR]
#   --cut-min-ms / --cut-max-ms   cut this long after the first acknowledgement (default
#                       500..4000) [DW_CUT_MIN_MS, DW_CUT_MAX_MS]
#   --post-cut-ms MS    let the workload run on after the cut before killing it, so that under
#                       drop_writes acks after the cut pile up and their loss shows the fault
#                       was real (default 1500) [DW_POST_CUT_MS]
#   --first-ack-timeout S   how long the workload may take to its first ack (default 180)
#                       [DW_FIRST_ACK_TIMEOUT]
#   --ack-regex RE      which oracle lines are acknowledgements (extended regex); default every
#                       line. The oracle at the cut is still the whole prefix written by then, so
#                       an oracle may also hold headers and "issued" lines [DW_ACK_REGEX]
# Exit: 0 every round passed, 1 an invariant was violated, 2 setup error.
# Output: one line per round starting with "DWFLAKEY round=", and a final "DWFLAKEY verdict=".
set -euo pipefail

readonly PREFIX="datawal-flakey"
# No udev in the guest (and not needed on a host): dmsetup makes the /dev/mapper nodes itself.
export DM_DISABLE_UDEV=1

log() { printf '%s orchestrator: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
# A setup error ends the run with 2, unless an earlier round already proved a violation: that
# evidence is the more important verdict.
die() {
  log "SETUP ERROR: $*"
  if [ "${verdict:-0}" -eq 1 ]; then
    echo "DWFLAKEY verdict=1 reason=violation-then-setup-error"
    exit 1
  fi
  echo "DWFLAKEY verdict=2 reason=setup-error"
  exit 2
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

[ "$(id -u)" -eq 0 ] || die "must run as root (dmsetup, mkfs, mount)"
for tool in dmsetup mkfs.ext4 e2fsck blockdev mount umount setsid; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

dm_exists() { dmsetup info "$1" >/dev/null 2>&1; }
dm_suspended() { dmsetup info "$1" 2>/dev/null | grep -q 'State:.*SUSPENDED'; }
# shellcheck disable=SC2317 # called from the EXIT trap
is_mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/mounts; }

# Tears one of our devices down from any state: resumed first (unmounting a filesystem on a
# suspended device would hang), then unmounted, then removed. Only ever touches names with our
# prefix, so it can never remove someone else's device.
teardown_device() {
  local name=$1 dev mp
  case "$name" in "$PREFIX"-*) ;; *) log "refusing to tear down $name"; return 0 ;; esac
  dm_exists "$name" || return 0
  if dm_suspended "$name"; then dmsetup resume "$name" || true; fi
  dev=$(readlink -f "/dev/mapper/$name" 2>/dev/null || echo "/dev/mapper/$name")
  awk -v a="/dev/mapper/$name" -v b="$dev" '$1 == a || $1 == b { print $2 }' /proc/mounts \
    | sort -r | while read -r mp; do
      umount "$mp" 2>/dev/null || umount -l "$mp" || true
    done
  local _
  for _ in 1 2 3 4 5; do
    dmsetup remove "$name" 2>/dev/null && break
    sleep 0.5
  done
  if dm_exists "$name"; then dmsetup remove --force "$name" 2>/dev/null || true; fi
  rm -f "/dev/mapper/$name"
}

if [ "${1:-}" = "--cleanup" ]; then
  # awk, not grep: no match must not fail the pipeline (nothing to clean is success).
  dmsetup ls 2>/dev/null | awk -v p="$PREFIX-" 'index($1, p) == 1 { print $1 }' | while read -r n; do
    log "cleanup: removing $n"
    teardown_device "$n"
  done
  exit 0
fi

DEVICE=${DW_DEVICE:-}
WORKLOAD=${DW_WORKLOAD:-}
VALIDATE=${DW_VALIDATE:-}
ROUNDS=${DW_ROUNDS:-4}
SEED=${DW_SEED:-}
MODES=${DW_MODES:-alternate}
WORK=${DW_WORK_DIR:-/var/tmp/$PREFIX}
RESULTS=${DW_RESULTS_DIR:-}
CUT_MIN_MS=${DW_CUT_MIN_MS:-500}
CUT_MAX_MS=${DW_CUT_MAX_MS:-4000}
POST_CUT_MS=${DW_POST_CUT_MS:-1500}
ERROR_WINDOW_MS=${DW_ERROR_WINDOW_MS:-1000}
POISON_REGEX=${DW_POISON_REGEX:-}
FIRST_ACK_TIMEOUT=${DW_FIRST_ACK_TIMEOUT:-180}
ACK_REGEX=${DW_ACK_REGEX:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE=$2; shift 2 ;;
    --workload) WORKLOAD=$2; shift 2 ;;
    --validate) VALIDATE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --cut-min-ms) CUT_MIN_MS=$2; shift 2 ;;
    --cut-max-ms) CUT_MAX_MS=$2; shift 2 ;;
    --post-cut-ms) POST_CUT_MS=$2; shift 2 ;;
    --error-window-ms) ERROR_WINDOW_MS=$2; shift 2 ;;
    --poison-regex) POISON_REGEX=$2; shift 2 ;;
    --first-ack-timeout) FIRST_ACK_TIMEOUT=$2; shift 2 ;;
    --ack-regex) ACK_REGEX=$2; shift 2 ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
RESULTS=${RESULTS:-$WORK/results}
if [ -z "$SEED" ]; then SEED=$(od -An -N7 -tu8 /dev/urandom | tr -d ' '); fi

for v in ROUNDS SEED CUT_MIN_MS CUT_MAX_MS POST_CUT_MS ERROR_WINDOW_MS FIRST_ACK_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
[ "$CUT_MAX_MS" -ge "$CUT_MIN_MS" ] || die "cut-max-ms < cut-min-ms"
case "$MODES" in
  alternate | cycle | drop_writes | error_writes | error_window | random) ;;
  *) die "bad --modes $MODES" ;;
esac
[ -n "$WORKLOAD" ] || die "no workload (--workload or DW_WORKLOAD)"
[ -n "$VALIDATE" ] || die "no validator (--validate or DW_VALIDATE)"
[ -n "$DEVICE" ] || die "no scratch device (--device or DW_DEVICE); it is wiped every round"
[ -b "$DEVICE" ] || die "$DEVICE is not a block device"
# The scratch device must be idle: not mounted, not under another dm/md device.
devreal=$(readlink -f "$DEVICE")
if awk -v d="$devreal" -v e="$DEVICE" '$1 == d || $1 == e { f = 1 } END { exit !f }' /proc/mounts; then
  die "$DEVICE is mounted; refusing to wipe it"
fi
holders="/sys/class/block/$(basename "$devreal")/holders"
if [ -d "$holders" ] && [ -n "$(ls -A "$holders")" ]; then
  die "$DEVICE is in use by $(ls "$holders") (a stale run? try: $0 --cleanup)"
fi
grep -qw dm_mod /proc/modules 2>/dev/null || modprobe dm-mod 2>/dev/null || true
grep -qw dm_flakey /proc/modules 2>/dev/null || modprobe dm-flakey 2>/dev/null || true
dmsetup targets 2>/dev/null | grep -q '^flakey' || die "no dm-flakey target in this kernel"

NAME="$PREFIX-$$"
MNT="$WORK/mnt-$$"
mkdir -p "$WORK" "$RESULTS" "$MNT"
SECTORS=$(blockdev --getsz "$DEVICE")
WORKLOAD_PID=

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
  local rc=$?
  if [ -n "$WORKLOAD_PID" ]; then
    # If the device is suspended the workload may be blocked in I/O: resume first.
    if dm_suspended "$NAME"; then dmsetup resume "$NAME" || true; fi
    kill -KILL -- "-$WORKLOAD_PID" 2>/dev/null || true
    wait "$WORKLOAD_PID" 2>/dev/null || true
  fi
  teardown_device "$NAME"
  if is_mounted "$MNT"; then umount -l "$MNT" || true; fi
  rmdir "$MNT" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# Tables: pass-through is flakey with up=1 s, down=0 (always up); the cut is up=0, down=60 with
# one feature, which is down from the first instant.
table_healthy() { echo "0 $SECTORS flakey $DEVICE 0 1 0"; }
table_cut() { echo "0 $SECTORS flakey $DEVICE 0 0 60 1 $1"; }

# Per-round values come from a fixed 64-bit mix of the master seed and the round, so a failing
# round replays with the same --seed whatever the shell's own RANDOM does.
mix() {
  local z=$(($1 + $2 * 0x9E3779B97F4A7C15))
  z=$(((z ^ ((z >> 30) & 0x3FFFFFFFF)) * 0xBF58476D1CE4E5B9))
  z=$(((z ^ ((z >> 27) & 0x1FFFFFFFFF)) * 0x94D049BB133111EB))
  echo $(((z ^ ((z >> 31) & 0x1FFFFFFFF)) & 0x7FFFFFFFFFFFFFFF))
}

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
sleep_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }
# Acknowledgements in an oracle: every whole line, or those matching --ack-regex.
acks() {
  if [ -z "$ACK_REGEX" ]; then
    lines "$1"
  elif [ -f "$1" ]; then
    grep -c -E "$ACK_REGEX" "$1" || true
  else
    echo 0
  fi
}

# Runs a hook command line with extra positional arguments: "CMD ARG..." through bash -c, so a
# hook may be a script path, a java command line, or anything a shell accepts.
run_hook() {
  local cmd=$1
  shift
  bash -c "$cmd"' "$@"' hook "$@"
}

log "seed=$SEED rounds=$ROUNDS modes=$MODES device=$DEVICE ($SECTORS sectors) work=$WORK"
echo "DWFLAKEY start seed=$SEED rounds=$ROUNDS modes=$MODES"
verdict=0
passed=0
run_started=$(now_ms)

for round in $(seq 1 "$ROUNDS"); do
  rseed=$(mix "$SEED" "$round")
  cut_ms=$((CUT_MIN_MS + rseed % (CUT_MAX_MS - CUT_MIN_MS + 1)))
  case "$MODES" in
    alternate) if [ $((round % 2)) -eq 1 ]; then mode=drop_writes; else mode=error_writes; fi ;;
    cycle) modes=(error_window drop_writes error_writes) && mode=${modes[$((round % 3))]} ;;
    random) if [ $(((rseed >> 40) & 1)) -eq 0 ]; then mode=drop_writes; else mode=error_writes; fi ;;
    *) mode=$MODES ;;
  esac
  rdir="$WORK/round-$round"
  rres="$RESULTS/round-$round"
  rm -rf "$rdir" "$rres"
  mkdir -p "$rdir" "$rres"
  oracle="$rdir/oracle"
  t0=$(now_ms)
  log "round $round: seed=$rseed mode=$mode cut_after_ms=$cut_ms"

  # Fresh filesystem on the pass-through device.
  dmsetup create "$NAME" --table "$(table_healthy)" || die "dmsetup create $NAME failed"
  dmsetup mknodes "$NAME"
  [ -b "/dev/mapper/$NAME" ] || die "/dev/mapper/$NAME did not appear"
  # Inode tables and journal zeroed now, not by a background thread during the workload.
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "/dev/mapper/$NAME" \
    || die "mkfs.ext4 failed"
  mount -t ext4 "/dev/mapper/$NAME" "$MNT" || die "mount failed"
  [ "$(stat -c %d "$MNT")" != "$(stat -c %d "$rdir")" ] \
    || die "work dir $WORK is on the device under test; the oracle must live elsewhere"
  t_ready=$(now_ms)

  # The workload, in its own session so that one kill reaches every process it started.
  DW_STORE_DIR="$MNT/store" DW_ORACLE="$oracle" DW_SEED="$rseed" DW_ROUND="$round" \
    setsid bash -c "$WORKLOAD"' "$@"' workload "$MNT/store" "$oracle" "$rseed" \
    >"$rdir/workload.log" 2>&1 </dev/null &
  WORKLOAD_PID=$!

  # Wait for the first acknowledgement, then cut at a seeded moment while writes are in flight.
  deadline=$(($(now_ms) + FIRST_ACK_TIMEOUT * 1000))
  while [ "$(acks "$oracle")" -lt 1 ]; do
    if ! kill -0 "$WORKLOAD_PID" 2>/dev/null; then
      tail -n 20 "$rdir/workload.log" | sed 's/^/  workload: /'
      cp "$rdir/workload.log" "$rres/" || true
      die "round $round: workload exited before its first acknowledgement"
    fi
    [ "$(now_ms)" -lt "$deadline" ] || die "round $round: no acknowledgement in ${FIRST_ACK_TIMEOUT}s"
    sleep 0.1
  done
  t_first_ack=$(now_ms)
  sleep_ms "$cut_ms"
  in_flight=yes
  if ! kill -0 "$WORKLOAD_PID" 2>/dev/null; then
    # Finished its ops before the cut: the round still counts, but nothing was in flight.
    # Failing on a healthy device is not a power-loss result: stop with the log.
    in_flight=no
    wait "$WORKLOAD_PID" && early=0 || early=$?
    WORKLOAD_PID=
    if [ "$early" -ne 0 ]; then
      cp "$rdir/workload.log" "$rres/" || true
      tail -n 20 "$rdir/workload.log" | sed 's/^/  workload: /'
      die "round $round: workload failed (exit $early) before the cut, on a healthy device"
    fi
  fi

  # The cut. Suspend without flushing the filesystem (--nolockfs): in-flight bios finish,
  # new ones queue. While suspended no write can complete, so every oracle line present now
  # belongs to an op whose fsync returned under the healthy table: that count is what is owed.
  # (An op acknowledged just before the suspend whose line is not yet written is simply not
  # counted: the check stays sound, only a little weaker.)
  dmsetup suspend --nolockfs "$NAME" || die "suspend failed"
  t_cut=$(now_ms)
  head -n "$(lines "$oracle")" "$oracle" >"$rdir/oracle.at-cut"
  owed=$(acks "$rdir/oracle.at-cut")
  dmsetup load "$NAME" --table "$(table_cut "${mode/error_window/error_writes}")" \
    || die "loading the $mode table failed"
  dmsetup resume "$NAME" || die "resume failed"
  acks_at_heal=
  if [ "$mode" = error_window ]; then
    # Writes fail for a while, then the device heals under the running workload.
    sleep_ms "$ERROR_WINDOW_MS"
    dmsetup suspend --nolockfs "$NAME" || die "suspend before the heal failed"
    acks_at_heal=$(acks "$oracle")
    dmsetup load "$NAME" --table "$(table_healthy)" || die "loading the healthy table failed"
    dmsetup resume "$NAME" || die "resume after the heal failed"
  fi

  # Under drop_writes fsync keeps succeeding: acks after the cut are not owed, and the
  # validator's count of how many of them vanished shows the writes really were dropped.
  wstatus=exited-before-cut
  if [ -n "$WORKLOAD_PID" ]; then
    sleep_ms "$POST_CUT_MS"
    kill -KILL -- "-$WORKLOAD_PID" 2>/dev/null || true
    wstatus=0
    wait "$WORKLOAD_PID" 2>/dev/null || wstatus=$?
    WORKLOAD_PID=
  fi
  acked_total=$(acks "$oracle")

  # Power back: unmount, forget every cached block, heal the table, mount (journal replay).
  umount "$MNT" 2>/dev/null || umount -l "$MNT" || die "umount after the cut failed"
  sync
  echo 3 >/proc/sys/vm/drop_caches
  dmsetup suspend --nolockfs "$NAME"
  dmsetup load "$NAME" --table "$(table_healthy)"
  dmsetup resume "$NAME"
  blockdev --flushbufs "/dev/mapper/$NAME" 2>/dev/null || true
  t_remount=$(now_ms)
  if ! mount -t ext4 "/dev/mapper/$NAME" "$MNT" 2>"$rdir/mount.err"; then
    # The store cannot even be reached: count it as a violation, with the evidence.
    log "round $round: VIOLATION the filesystem does not mount after the cut: $(cat "$rdir/mount.err")"
    cp "$rdir"/* "$rres/" 2>/dev/null || true
    dmesg | tail -n 50 >"$rres/dmesg.log" 2>/dev/null || true
    echo "DWFLAKEY round=$round mode=$mode seed=$rseed verdict=FAIL reason=remount-failed"
    verdict=1
    teardown_device "$NAME"
    continue
  fi
  # A full read-only fsck after the journal replay; ext4's health, reported, not judged here.
  umount "$MNT"
  fsck=clean
  e2fsck -fn "/dev/mapper/$NAME" >"$rdir/fsck.log" 2>&1 || fsck="errors($?)"
  mount -t ext4 "/dev/mapper/$NAME" "$MNT" || die "second mount failed"
  # Evidence first: the store exactly as recovered, before a validator can touch it.
  if [ -d "$MNT/store" ]; then tar -C "$MNT" -cf "$rdir/store.tar" store; fi

  # error_window: every acknowledgement is owed, the ones written while writes failed included.
  if [ "$mode" = error_window ]; then
    cp "$oracle" "$rdir/oracle.at-cut"
    owed=$acked_total
  fi
  DW_STORE_DIR="$MNT/store" DW_ORACLE="$rdir/oracle.at-cut" DW_ACKS_OWED="$owed" \
    DW_SEED="$rseed" DW_ORACLE_FULL="$oracle" DW_MODE="$mode" DW_ROUND="$round" \
    run_hook "$VALIDATE" "$MNT/store" "$rdir/oracle.at-cut" "$owed" "$rseed" \
    >"$rdir/validate.log" 2>&1 </dev/null && vstatus=0 || vstatus=$?
  fsync_failure=
  if [ "$mode" = error_window ]; then
    # The engine must have seen the failure and poisoned its writer, and acknowledged nothing
    # once the device had healed.
    poisoned=unchecked
    if [ -n "$POISON_REGEX" ]; then
      poisoned=no
      if grep -qE "$POISON_REGEX" "$rdir/workload.log"; then poisoned=yes; fi
    fi
    fsync_failure=" poisoned=$poisoned acks_after_heal=$((acked_total - acks_at_heal))"
    if [ "$vstatus" -eq 0 ] && { [ "$poisoned" = no ] || [ "$acked_total" -ne "$acks_at_heal" ]; }; then
      echo "FAIL error_window: poisoned=$poisoned, $((acked_total - acks_at_heal)) acknowledgements after the heal" \
        >>"$rdir/validate.log"
      vstatus=1
    fi
  fi
  sed 's/^/  validate: /' "$rdir/validate.log" | tail -n 25
  t_end=$(now_ms)

  case "$vstatus" in
    0) rverdict=PASS; passed=$((passed + 1)) ;;
    1) rverdict=FAIL; verdict=1 ;;
    *) rverdict=SETUP-ERROR ;;
  esac
  summary="round=$round mode=$mode seed=$rseed cut_after_ms=$cut_ms in_flight=$in_flight"
  summary+=" acks_owed=$owed acks_total=$acked_total acks_after_cut=$((acked_total - owed))"
  summary+="$fsync_failure workload_exit=$wstatus fsck=$fsck validate_exit=$vstatus"
  summary+=" verdict=$rverdict"
  summary+=" setup_ms=$((t_ready - t0)) first_ack_ms=$((t_first_ack - t_ready))"
  summary+=" cut_to_remount_ms=$((t_remount - t_cut)) round_ms=$((t_end - t0))"
  echo "$summary" >"$rres/summary"
  echo "DWFLAKEY $summary"
  echo "DWFLAKEY round=$round validator: $(grep -v '^\s*$' "$rdir/validate.log" | tail -n 1)"
  cp "$rdir/workload.log" "$rdir/validate.log" "$rdir/fsck.log" "$rres/"
  if [ "$rverdict" != PASS ]; then
    # Keep everything: the store as recovered, both oracles, the kernel's view.
    cp "$rdir/oracle" "$rdir/oracle.at-cut" "$rres/"
    if [ -f "$rdir/store.tar" ]; then cp "$rdir/store.tar" "$rres/"; fi
    dmesg | tail -n 100 >"$rres/dmesg.log" 2>/dev/null || true
    log "round $round: evidence kept in $rres"
  fi
  umount "$MNT"
  teardown_device "$NAME"
  rm -rf "$rdir"
  if [ "$rverdict" = SETUP-ERROR ]; then
    die "round $round: the validator failed to run (exit $vstatus); evidence in $rres"
  fi
done

echo "DWFLAKEY verdict=$verdict rounds=$ROUNDS passed=$passed seed=$SEED total_ms=$(($(now_ms) - run_started))"
exit "$verdict"
