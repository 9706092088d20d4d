#!/usr/bin/env bash
# Builds (or reuses) the qemu guest the dm-flakey VM runner boots: a stock Debian kernel, a
# busybox initramfs that loads the modules the root disk and device-mapper need, and an ext4 root
# image with a Java 17 runtime, dmsetup, e2fsprogs and xfsprogs. Everything comes from Debian
# packages.
#
# Why a guest at all: the host kernel here has no device-mapper; a stock Debian kernel under
# qemu (software emulation) has dm-flakey. See powerloss/vm/README.md.
#
# Usage: build-guest.sh            prints the guest directory (vmlinuz, initrd.img, root.img)
#        on its last stdout line; everything else goes to stderr.
# Env:   DATAWAL_VM_CACHE          cache directory (default $HOME/.cache/datawal-vm, outside
#                                  the repository)
#        DATAWAL_VM_MIRROR         Debian mirror (default: http://deb.debian.org/debian)
#        DATAWAL_VM_SUITE          Debian suite (default: the host's VERSION_CODENAME)
#        DATAWAL_VM_KEEP_OLD=1     keep guests built from older inputs (default: removed)
# Exit:  0 ok (built or cache hit), 2 setup error (not root, apt or debootstrap failed, ...).
set -euo pipefail

readonly SELF="${BASH_SOURCE[0]}"
readonly CACHE="${DATAWAL_VM_CACHE:-$HOME/.cache/datawal-vm}"
readonly MIRROR="${DATAWAL_VM_MIRROR:-http://deb.debian.org/debian}"
# shellcheck disable=SC1091 # os-release is a system file, not part of this repository
SUITE="${DATAWAL_VM_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"
readonly SUITE
# What the guest's root filesystem holds, beyond minbase: the JVM for the workload and the
# validator, dmsetup for the fault, e2fsprogs and xfsprogs for mkfs/fsck (the dm-log-writes
# rounds run on ext4 and on XFS), kmod, util-linux (mount, blkid, blockdev), procps (pkill-free
# process control by pid is enough, but ps helps debugging).
readonly ROOT_PACKAGES="openjdk-17-jre-headless,dmsetup,e2fsprogs,xfsprogs,kmod,util-linux,procps"
# Modules the initramfs loads, in this order (dependencies first are resolved below). virtio and
# ext4 are modules in Debian's kernel, so the root disk cannot be mounted without them; the
# device-mapper ones are loaded here too so the root image needs no /lib/modules at all.
readonly MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
  virtio_blk crc32c_generic crc16 mbcache jbd2 ext4 xfs dm-mod dm-flakey dm-log-writes"

log() { printf 'build-guest: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get, debootstrap and device nodes need it)"
command -v apt-get >/dev/null || die "apt-get not found: the guest is built from Debian packages"

# apt-get waits for the dpkg lock rather than failing: other builds share this machine.
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)

# Installs Debian packages on the host only when a command is missing (idempotent, no upgrade).
ensure_host_tool() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "installing $pkg (for $cmd)"
  if ! apt-get install "${APT_OPTS[@]}" "$pkg" >&2; then
    apt-get update -q -o DPkg::Lock::Timeout=300 >&2 || die "apt-get update failed"
    apt-get install "${APT_OPTS[@]}" "$pkg" >&2 || die "apt-get install $pkg failed"
  fi
  command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but $cmd still not found"
}

ensure_host_tool qemu-system-x86_64 qemu-system-x86
ensure_host_tool debootstrap debootstrap
ensure_host_tool mkfs.ext4 e2fsprogs

# The kernel is whatever linux-image-amd64 currently depends on: pinning the concrete package
# name and version into the cache key means an apt-get update that moves the kernel rebuilds.
kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
  | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$kernel_pkg" ]; then
  apt-get update -q -o DPkg::Lock::Timeout=300 >&2 || die "apt-get update failed"
  kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
    | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
[ -n "$kernel_pkg" ] || die "cannot resolve the kernel package linux-image-amd64 depends on"
pkg_version() { apt-cache policy "$1" | awk '/Candidate:/ { print $2; exit }'; }
kernel_ver=$(pkg_version "$kernel_pkg")
busybox_ver=$(pkg_version busybox-static)
case "$kernel_ver" in "" | "(none)") die "no candidate version for $kernel_pkg" ;; esac
case "$busybox_ver" in "" | "(none)") die "no candidate version for busybox-static" ;; esac

# Cache key: this script (it holds the init scripts too), the suite, mirror, package set and the
# exact kernel and busybox versions. Anything else that changes the guest must live in here.
key=$( {
  cat "$SELF"
  printf '%s\n' "$SUITE" "$MIRROR" "$ROOT_PACKAGES" "$MODULES"
  printf '%s\n' "$kernel_pkg=$kernel_ver" "busybox-static=$busybox_ver"
} | sha256sum | cut -c1-16)
readonly GUEST="$CACHE/guest-$key"

if [ -f "$GUEST/.complete" ]; then
  log "cache hit: $GUEST"
  echo "$GUEST"
  exit 0
fi

mkdir -p "$CACHE"
# One builder at a time per cache: a second caller waits, then finds the finished guest.
exec 9>"$CACHE/.build.lock"
flock 9
if [ -f "$GUEST/.complete" ]; then
  log "cache hit after waiting for another build: $GUEST"
  echo "$GUEST"
  exit 0
fi

# Build in a scratch directory next to the cache (same filesystem, so the final rename is
# atomic); a failed or interrupted build never leaves a half-made guest behind.
work=$(mktemp -d "$CACHE/.build-XXXXXX")
cleanup() {
  # debootstrap may leave proc/sys mounted in the chroot; unmount only below our scratch dir.
  local m
  awk -v w="$work" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)

log "kernel package $kernel_pkg $kernel_ver, busybox-static $busybox_ver, suite $SUITE"

# --- kernel and busybox: downloaded as .deb files and unpacked, never installed on the host ---
mkdir -p "$work/debs" "$work/kernel" "$work/busybox"
(cd "$work/debs" && apt-get download -q -o APT::Sandbox::User=root "$kernel_pkg=$kernel_ver" "busybox-static=$busybox_ver" >&2) \
  || die "apt-get download $kernel_pkg busybox-static failed"
dpkg-deb -x "$work"/debs/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/debs/busybox-static_*.deb "$work/busybox"
kver=$(basename "$(find "$work/kernel/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")
[ -n "$kver" ] || die "no /lib/modules/<version> in $kernel_pkg"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz" || die "no vmlinuz-$kver in $kernel_pkg"
bb="$work/busybox/bin/busybox"
[ -x "$bb" ] || die "busybox-static has no /bin/busybox"

# --- initramfs: busybox + the modules, dependencies resolved from each module's .modinfo ---
moddir="$work/kernel/lib/modules/$kver"
initrd="$work/initrd"
mkdir -p "$initrd"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$bb" "$initrd/bin/busybox"

# Path of a module (relative to $moddir) by name; '-' and '_' are the same in module names.
find_module() {
  local name=${1//_/[-_]}
  (cd "$moddir" && find kernel -name "$name.ko" -o -name "$name.ko.xz" -o -name "$name.ko.zst" \
    | head -n1)
}
# A module's dependencies, read from the NUL-separated .modinfo strings (no modinfo on the host).
module_deps() {
  local f=$1
  case "$f" in
    *.xz) xz -dc "$moddir/$f" ;;
    *.zst) zstd -dcq "$moddir/$f" ;;
    *) cat "$moddir/$f" ;;
  esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}
declare -A seen=()
load_order=()
add_module() {
  local name=$1 path dep
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  # Built into the kernel: nothing to load.
  if grep -Eq "/${name//_/[-_]}\.ko$" "$moddir/modules.builtin" 2>/dev/null; then return 0; fi
  path=$(find_module "$name")
  [ -n "$path" ] || die "module $name not found in $kernel_pkg"
  for dep in $(module_deps "$path"); do add_module "$dep"; done
  load_order+=("$path")
}
for m in $MODULES; do add_module "$m"; done
: >"$initrd/modules.order"
for path in "${load_order[@]}"; do
  out="lib/modules/$(basename "${path%.xz}")"
  out="${out%.zst}"
  case "$path" in
    *.xz) xz -dc "$moddir/$path" >"$initrd/$out" ;;
    *.zst) zstd -dcq "$moddir/$path" >"$initrd/$out" ;;
    *) cp "$moddir/$path" "$initrd/$out" ;;
  esac
  echo "$out" >>"$initrd/modules.order"
done
log "initramfs modules: $(tr '\n' ' ' <"$initrd/modules.order")"

# /init: load modules, mount the root disk (/dev/vda, ext4), hand over to the guest's init.
cat >"$initrd/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
  insmod "/$m" || echo "initramfs: insmod $m failed"
done </modules.order
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if ! mount -t ext4 -o rw /dev/vda /newroot; then
  echo "initramfs: cannot mount /dev/vda; powering off"
  echo o >/proc/sysrq-trigger
fi
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /usr/local/sbin/dw-init
EOF
chmod 755 "$initrd/init"
(cd "$initrd" && find . -print0 | sort -z | "$bb" cpio -o -H newc -0 2>/dev/null) \
  | gzip -9 >"$work/initrd.img"

# --- root filesystem: debootstrap minbase plus the packages, trimmed, made into ext4 ---
rootfs="$work/rootfs"
log "debootstrap $SUITE ($ROOT_PACKAGES) from $MIRROR"
debootstrap --variant=minbase --include="$ROOT_PACKAGES" "$SUITE" "$rootfs" "$MIRROR" \
  >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  die "debootstrap failed (log above)"
}
# Nothing in the guest needs apt caches, docs, man pages or locales; dropping them keeps the
# cached image small.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/usr/share/locale/*
mkdir -p "$rootfs/payload" "$rootfs/results" "$rootfs/usr/local/sbin"
echo "datawal-vm" >"$rootfs/etc/hostname"

# The guest's init (PID 1 after switch_root). It runs /payload/guest-main (supplied by the
# runner on the payload disk, so changing the test never rebuilds the image) with output on the
# serial console, then powers off: the minimal guest has no poweroff, and a PID 1 that exits
# panics (the runner boots with panic=-1 -no-reboot, so that ends qemu too).
cat >"$rootfs/usr/local/sbin/dw-init" <<'EOF'
#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
hostname datawal-vm
echo "DWVM-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime)"
rc=2
if mount -o ro /dev/vdc /payload && mount /dev/vdd /results; then
  if [ -x /payload/guest-main ]; then
    /payload/guest-main 2>&1 | tee /results/console.log
    rc=${PIPESTATUS[0]}
  else
    echo "DWVM: /payload/guest-main missing"
  fi
else
  echo "DWVM: cannot mount the payload (/dev/vdc) or results (/dev/vdd) disk"
fi
echo "$rc" >/results/exit-code 2>/dev/null
sync
umount /results 2>/dev/null
echo "DWVM-EXIT $rc"
sync
echo o >/proc/sysrq-trigger
sleep 30
EOF
chmod 755 "$rootfs/usr/local/sbin/dw-init"

# Size: the tree plus 512 MiB for the per-round oracle files and logs the guest writes to its
# root (the runner boots it with a throwaway snapshot, so the cached image is never changed).
used_mib=$(du -sm "$rootfs" | cut -f1)
size_mib=$((used_mib + 512))
mkfs.ext4 -q -F -L dwroot -d "$rootfs" "$work/root.img" "${size_mib}M" >&2 \
  || die "mkfs.ext4 -d of the root filesystem failed"

cat >"$work/manifest" <<EOF
key=$key
suite=$SUITE
mirror=$MIRROR
kernel=$kernel_pkg $kernel_ver ($kver)
busybox-static=$busybox_ver
root_packages=$ROOT_PACKAGES
rootfs_mib=$used_mib
built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in $(($(date +%s) - started)) s
EOF
mkdir "$work/out"
mv "$work/vmlinuz" "$work/initrd.img" "$work/root.img" "$work/manifest" "$work/out/"
# The cached root image is a read-only base; every run boots it with snapshot=on.
chmod 444 "$work/out/root.img"
touch "$work/out/.complete"
# A leftover without .complete is an interrupted older build of the same key: replace it.
rm -rf "$GUEST"
mv "$work/out" "$GUEST"
# Guests built from older inputs are dead weight (about 330 MB each): drop them, unless asked
# to keep them. Only our own guest-<key> directories inside the cache are touched.
if [ "${DATAWAL_VM_KEEP_OLD:-0}" != 1 ]; then
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'guest-*' ! -name "guest-$key" \
    -print -exec rm -rf {} + | sed 's/^/build-guest: removed older guest /' >&2
fi
log "built $GUEST in $(($(date +%s) - started)) s ($(du -sh "$GUEST" | cut -f1) on disk)"
echo "$GUEST"
