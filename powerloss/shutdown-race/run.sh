#!/usr/bin/env bash
# Runs shutdown_race ROUNDS times on a fresh loop-device file system of each kind, remounting
# after every shutdown, and reports every acknowledged record that did not survive, with when its
# fdatasync ran relative to the shutdown call. Needs root, gcc, losetup, mkfs.ext4 and mkfs.xfs.
#
#   powerloss/shutdown-race/run.sh [ROUNDS] [KINDS]     # default: 100 rounds, "ext4 xfs"
#
# Exit code: 0 no acknowledgement made before the shutdown call began was lost; 1 one was (a
# durability bug below the harness); 2 setup error.
set -euo pipefail
rounds=${1:-100}
kinds=${2:-ext4 xfs}
record=140 # the size of a workload Put frame: 28 + 16-byte key + 96-byte value
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (loop devices, mount)"; exit 2; }
work=$(mktemp -d /tmp/shutdown-race.XXXXXX)
bin=$work/shutdown_race
gcc -O2 -pthread -o "$bin" "$here/shutdown_race.c" || exit 2
dev=""
cleanup() {
  mountpoint -q "$work/mnt" && umount "$work/mnt"
  [ -n "$dev" ] && losetup -d "$dev"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/mnt"
before_lost=0
for kind in $kinds; do
  truncate -s 512M "$work/img"
  dev=$(losetup -f --show "$work/img")
  case $kind in
    ext4) mkfs.ext4 -q -F "$dev" ;;
    xfs) mkfs.xfs -q -f "$dev" ;;
    *) echo "unknown file system $kind"; exit 2 ;;
  esac
  lost_rounds=0 lost_acks=0 acks_total=0
  for ((r = 1; r <= rounds; r++)); do
    mount "$dev" "$work/mnt"
    mkdir -p "$work/mnt/d"
    delay=$(((RANDOM % 300) * 1000 + 20000))
    "$bin" "$work/mnt/d/f" "$work/mnt/d" "$delay" "$record" >"$work/out"
    umount "$work/mnt"
    mount "$dev" "$work/mnt" # replays the journal, as after a reboot
    survived=$("$bin" --verify "$work/mnt/d/f" "$record")
    read -r acks took < <(sed -n '1s/acks=\([0-9]*\) shutdown_took_us=\([0-9]*\)/\1 \2/p' "$work/out")
    acks_total=$((acks_total + acks))
    if [ "$survived" -lt "$acks" ]; then
      lost_rounds=$((lost_rounds + 1))
      while read -r _ seq start end; do
        if [ "$seq" -ge "$survived" ]; then
          lost_acks=$((lost_acks + 1))
          verdict="its fdatasync overlapped the shutdown call"
          if [ "${end%.*}" -lt 0 ]; then
            verdict="DURABLE BEFORE THE SHUTDOWN AND LOST"
            before_lost=$((before_lost + 1))
          fi
          echo "$kind round $r: ack $seq lost: fdatasync ${start}..${end} us, shutdown call 0..${took} us: $verdict"
        fi
      done < <(tail -n +2 "$work/out")
    fi
    rm -rf "$work/mnt/d"
    umount "$work/mnt"
  done
  losetup -d "$dev"
  dev=""
  echo "$kind: rounds=$rounds acks=$acks_total rounds_with_lost_acks=$lost_rounds lost_acks=$lost_acks"
done
echo "acks lost that were made before the shutdown call began: $before_lost"
[ "$before_lost" -eq 0 ]
