#!/bin/bash
# How many domain definitions libvirt's own QEMU driver turns into a command line
# (`virsh domxml-to-native qemu-argv`), for comparison with tsvirt's. Runs a private
# system libvirtd (as root) in its own mount and network namespaces, with empty
# state folders on tmpfs, so nothing of the machine's libvirt is read or changed.
#   sudo scripts/libvirt-qemu-argv-count.sh DIR-OF-DOMAIN-XML [RESULT.tsv]
# RESULT.tsv gets one line per file: name, accepted|refused, libvirt's error line.
set -euo pipefail
dir=$(realpath "$1")
out=${2:-/dev/null}
[ "$(id -u)" = 0 ] || { echo "run as root (a system libvirtd)" >&2; exit 2; }
[ -x /usr/sbin/libvirtd ] || { echo "libvirtd is not installed" >&2; exit 2; }
[ "$out" = /dev/null ] || out=$(realpath "$out")
if [ "${INSIDE_PRIVATE_NS:-}" != 1 ]; then
  exec env INSIDE_PRIVATE_NS=1 unshare -m -n --propagation private "$0" "$dir" "$out"
fi
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /etc/libvirt /var/log/libvirt; do
  mkdir -p "$d" && mount -t tmpfs tmpfs "$d"
done
cat > /etc/libvirt/libvirtd.conf <<'CONF'
auth_unix_ro = "none"
auth_unix_rw = "none"
CONF
# No libvirt-qemu user on a machine without libvirt-daemon-system: QEMU would run as root.
cat > /etc/libvirt/qemu.conf <<'CONF'
user = "root"
group = "root"
stdio_handler = "file"
CONF
# libvirt's QEMU driver looks its compiled-in user up before it reads qemu.conf: a copy of
# the user files with that user, seen only in this mount namespace.
for f in passwd group; do
  cp /etc/$f /run/libvirt/$f
  mount --bind /run/libvirt/$f /etc/$f
done
getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin' >> /etc/passwd
getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >> /etc/group
getent group kvm >/dev/null || echo 'kvm:x:64056:' >> /etc/group
/usr/sbin/libvirtd -d -p /run/libvirt/libvirtd.pid
for _ in $(seq 100); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.1; done
accepted=0; total=0
: > "$out"
for f in "$dir"/*.xml; do
  name=$(basename "$f" .xml)
  total=$((total + 1))
  if err=$(virsh -q -c qemu:///system domxml-to-native qemu-argv "$f" 2>&1 >/dev/null); then
    accepted=$((accepted + 1)); echo -e "$name\taccepted\t" >> "$out"
  else
    echo -e "$name\trefused\t$(echo "$err" | grep -m1 error: | sed 's/^error: //')" >> "$out"
  fi
done
kill "$(cat /run/libvirt/libvirtd.pid)"
echo "libvirt accepts $accepted of $total"
