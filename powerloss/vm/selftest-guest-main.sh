#!/bin/bash
# shellcheck disable=SC2016 # the $ expansions in the printf'd hook scripts are theirs
# Self-test of the orchestrator's guards and cleanup, run INSIDE the guest in place of the
# normal entry point: run-dmflakey-vm.sh --guest-main selftest-guest-main.sh --rounds 1
# Checks that bad setups exit 2, that a TERM mid-round and a stale device leave no dm device,
# mount or workload process behind, and that --cleanup is idempotent.
# Exit: 0 all checks passed, 1 a check failed.
set -uo pipefail

O=/payload/dmflakey-orchestrator.sh
W=/payload/workload
V=/payload/validate
failed=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "DWSELFTEST ok   $1"; else
    echo "DWSELFTEST FAIL $1: expected $2, got $3"
    failed=1
  fi
}
leftovers() {
  local n=0
  dmsetup ls 2>/dev/null | grep -q '^datawal-flakey-' && n=$((n + 1))
  grep -q 'datawal-flakey' /proc/mounts && n=$((n + 2))
  pgrep -f StandinWriter >/dev/null && n=$((n + 4))
  echo "$n"
}
export DM_DISABLE_UDEV=1

$O --device /dev/vdb --workload "$W" >/dev/null 2>&1
check "no validator: exit 2" 2 $?
$O --device /payload/workload --workload "$W" --validate "$V" >/dev/null 2>&1
check "not a block device: exit 2" 2 $?
$O --device /dev/vdc --workload "$W" --validate "$V" >/dev/null 2>&1
check "mounted device (/dev/vdc is /payload): exit 2" 2 $?
$O --device /dev/vdb --workload "$W" --validate "$V" --modes sometimes >/dev/null 2>&1
check "bad --modes: exit 2" 2 $?

$O --device /dev/vdb --workload 'sh -c "exit 7"' --validate "$V" --rounds 1 >/tmp/st.log 2>&1
check "workload dies before its first ack: exit 2" 2 $?
check "  ... and leaves nothing behind" 0 "$(leftovers)"

$O --device /dev/vdb --workload "$W" --validate 'sh -c "exit 5"' --rounds 1 --seed 3 >/tmp/st.log 2>&1
check "validator crashes (exit 5): exit 2" 2 $?
check "  ... and leaves nothing behind" 0 "$(leftovers)"
check "  ... and keeps the evidence" yes \
  "$([ -f /var/tmp/datawal-flakey/results/round-1/store.tar ] && echo yes || echo no)"

# A workload that acks once and then fails on the healthy device: not a power-loss result.
printf '#!/bin/sh\nmkdir -p "$1" && echo 0 >"$2"; sleep 1; exit 3\n' >/tmp/ack-then-fail
chmod +x /tmp/ack-then-fail
$O --device /dev/vdb --workload /tmp/ack-then-fail --validate "$V" --rounds 1 >/tmp/st.log 2>&1
check "workload fails before the cut: exit 2" 2 $?
check "  ... and leaves nothing behind" 0 "$(leftovers)"
# A workload that finishes its 20 ops before the cut: validated, reported as not in flight.
printf '#!/bin/sh\nexec java -cp /payload/standin.jar StandinWriter "$1" "$2" "$3" 20\n' \
  >/tmp/finish-early
chmod +x /tmp/finish-early
$O --device /dev/vdb --workload /tmp/finish-early --validate "$V" --rounds 1 >/tmp/st.log 2>&1
check "workload finishes before the cut: exit 0" 0 $?
check "  ... reported as in_flight=no with 20 acks owed" 1 \
  "$(grep -c 'DWFLAKEY round=1 .*in_flight=no acks_owed=20 ' /tmp/st.log)"

# TERM while the workload writes (its first ack comes after a few seconds under emulation).
$O --device /dev/vdb --workload "$W" --validate "$V" --rounds 3 --cut-min-ms 8000 \
  --cut-max-ms 8000 >/tmp/st.log 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  [ -s /var/tmp/datawal-flakey/round-1/oracle ] && break
  sleep 0.1
done
sleep 1
kill -TERM "$pid"
wait "$pid"
check "TERM mid-round: exit 2" 2 $?
check "  ... and leaves nothing behind" 0 "$(leftovers)"

# A stale device from a killed run, mounted and suspended (the worst case for unmounting).
sz=$(blockdev --getsz /dev/vdb)
dmsetup create datawal-flakey-stale --table "0 $sz linear /dev/vdb 0" && dmsetup mknodes
mkfs.ext4 -q -F /dev/mapper/datawal-flakey-stale
mkdir -p /mnt/datawal-flakey-stale && mount /dev/mapper/datawal-flakey-stale /mnt/datawal-flakey-stale
dmsetup suspend --nolockfs datawal-flakey-stale
$O --device /dev/vdb --workload "$W" --validate "$V" >/dev/null 2>&1
check "stale device holds the disk: exit 2" 2 $?
$O --cleanup >/dev/null 2>&1
check "--cleanup: exit 0" 0 $?
check "  ... and removes the stale device and its mount" 0 "$(leftovers)"
$O --cleanup >/dev/null 2>&1
check "--cleanup again (nothing to do): exit 0" 0 $?

echo "DWSELFTEST verdict=$failed"
exit "$failed"
