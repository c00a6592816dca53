#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# install_e2e.sh - make install into a DESTDIR: every file in its place, the
# unit's paths filled in, man pages that render, the sample config that
# parses; then the installed bpfdnsd with the installed config and only the
# capabilities the systemd unit grants. And the usual start-up failures
# give errors a user can act on: port 53 taken (naming the holder), missing
# capabilities, XDP unavailable (falls back to TC). Re-executes itself
# under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "make install and start-up errors" dig setpriv make
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$tmp/root

ok "install: make install DESTDIR PREFIX=/usr" make -s -C "$top" OUT="$(realpath "$out")" install \
	DESTDIR="$root" PREFIX=/usr
for f in usr/sbin/bpfdnsd usr/sbin/bpfdnsctl usr/share/man/man8/bpfdnsd.8 usr/share/man/man8/bpfdnsctl.8 \
	usr/lib/systemd/system/bpfdnsd.service etc/bpfdns/bpfdns.conf; do
	ok "install: $f" test -s "$root/$f"
done
for f in etc/resolvconf/update.d/bpfdns etc/NetworkManager/dispatcher.d/90-bpfdns; do
	ok "install: $f, executable" test -x "$root/$f"
done
unit=$root/usr/lib/systemd/system/bpfdnsd.service
check "install: the unit runs the installed program with the installed config" "grep ^ExecStart $unit" \
	"ExecStart=/usr/sbin/bpfdnsd --keep-in-foreground -C /etc/bpfdns/bpfdns.conf"
check "install: the unit is Type=notify (systemd_e2e.sh runs the handshake)" "grep ^Type= $unit" "Type=notify"
check "install: ExecReload sends SIGHUP" "grep ^ExecReload= $unit" 'ExecReload=/bin/kill -HUP $MAINPID'
check "install: the unit makes the sample cache-file's directory" "grep ^CacheDirectory= $unit" \
	"CacheDirectory=bpfdns"
check "install: the sample configuration names it" "grep cache-file= $root/etc/bpfdns/bpfdns.conf" \
	"/var/cache/bpfdns/cache"
check "install: with resolvconf, the unit registers lo.bpfdns (resolvconf_e2e.sh runs the same)" \
	"grep ^ExecStartPost $unit" '"nameserver 127.0.0.1" | /sbin/resolvconf -a lo.bpfdns'
if command -v man >/dev/null; then
	check "man: bpfdnsd(8) renders" "man -l $root/usr/share/man/man8/bpfdnsd.8 2>&1" "local DNS forwarder"
	check "man: bpfdnsctl(8) renders" "man -l $root/usr/share/man/man8/bpfdnsctl.8 2>&1" "lookup name"
	check_not "man: no roff warnings" "man --warnings -l $root/usr/share/man/man8/*.8 2>&1 >/dev/null" "warning"
fi
if command -v systemd-analyze >/dev/null; then
	check_not "unit: systemd-analyze finds nothing wrong" \
		"systemd-analyze verify --man=no $unit 2>&1 | grep -v 'bpfdnsd: command not found\|Command /usr/sbin'" \
		"bpfdnsd.service:"
fi
echo "# one install again keeps an edited config"
echo "# edited" >>"$root/etc/bpfdns/bpfdns.conf"
make -s -C "$top" OUT="$(realpath "$out")" install DESTDIR="$root" PREFIX=/usr
check "install: a second install keeps the edited config" "tail -n 1 $root/etc/bpfdns/bpfdns.conf" "# edited"
v=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
check "version: bpfdnsd --version says the Makefile's VERSION" "$root/usr/sbin/bpfdnsd --version" "bpfdnsd $v"
check "version: ... and so does bpfdnsctl --version" "$root/usr/sbin/bpfdnsctl --version" "bpfdnsctl $v"
check "version: ... and version.bind's" "strings $root/usr/sbin/bpfdnsd" "bpfdns-$v"

# a distribution's build: its CPPFLAGS and LDFLAGS reach every compile and link
o=$(make -n -B -C "$top" OUT="$tmp/distbuild" CPPFLAGS=-D_FORTIFY_SOURCE=2 LDFLAGS=-Wl,-z,now V=1 \
	"$tmp/distbuild/bpfdnsd" "$tmp/distbuild/bpfdnsctl" 2>&1)
cc_lines=$(grep -cE '^(cc|gcc) ' <<<"$o")
ok "flags: CPPFLAGS in every userspace compile ($cc_lines)" \
	test "$cc_lines" -gt 10 -a "$(grep -E '^(cc|gcc) ' <<<"$o" | grep -vc -- '-D_FORTIFY_SOURCE=2')" = 0
ok "flags: LDFLAGS in both links" test "$(grep -E -- '-o [^ ]*(bpfdnsd|bpfdnsctl)$' <<<"$o" | grep -c -- '-Wl,-z,now')" = 2
ok "flags: WERROR= builds without -Werror (a newer compiler's warnings)" \
	bash -c "! make -n -B -C '$top' OUT='$tmp/distbuild' WERROR= V=1 '$tmp/distbuild/bpfdnsctl' | grep -q -- '-Werror'"

# make uninstall takes away what make install put, but the config
make -s -C "$top" OUT="$(realpath "$out")" uninstall DESTDIR="$root" PREFIX=/usr
check_lines "uninstall: only the (edited) config is left" "cd $root && find . -type f | sort" "./etc/bpfdns/bpfdns.conf"
ok "uninstall: ... nothing else" test "$(cd "$root" && find . -type f | wc -l)" = 1
make -s -C "$top" OUT="$(realpath "$out")" install DESTDIR="$root" PREFIX=/usr

# the installed program, the installed config, the unit's capabilities
upstream 2
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
mkdir -p "$tmp/bpffs" && mount -t bpf bpf "$tmp/bpffs" # as systemd does at boot
setpriv --bounding-set=-all,"$caps" "$root/usr/sbin/bpfdnsd" -k -C "$root/etc/bpfdns/bpfdns.conf" \
	--no-resolv --server=127.0.0.2#5353 --pin-path="$tmp/bpffs/bpfdns" --control-socket="$tmp/ctl" \
	>"$tmp/unit.log" 2>&1 &
daemon=$!
pids+=($daemon)
dlog=$tmp/unit.log
for _ in $(seq 100); do grep -q "bpfdnsd ready" "$dlog" && break; sleep 0.05; done
check "unit caps ($caps): starts with the sample config" "cat $dlog" "fast path xdp"
check "unit caps: answers" "dig +short +tries=1 @127.0.0.1 unit.example.test" "192.0.2.2"
check "unit caps: no more capabilities than the unit grants" "grep CapEff /proc/$daemon/status" \
	"CapEff:	000000c000001401"
stop_daemon
# the sample's control-group= under the unit's capabilities (CAP_CHOWN)
setpriv --bounding-set=-all,"$caps" "$root/usr/sbin/bpfdnsd" -k -C "$root/etc/bpfdns/bpfdns.conf" \
	--no-resolv --server=127.0.0.2#5353 --pin-path="$tmp/bpffs/bpfdns" --control-socket="$tmp/ctl" \
	--control-group=nogroup >"$tmp/unit-group.log" 2>&1 &
daemon=$!
pids+=($daemon)
dlog=$tmp/unit-group.log
for _ in $(seq 100); do grep -q "bpfdnsd ready" "$dlog" && break; sleep 0.05; done
check "unit caps: control-group= starts" "cat $dlog" "bpfdnsd ready"
ok "unit caps: ... the socket the group's" test "$(stat -c %G "$tmp/ctl")" = nogroup
stop_daemon
check_not "unit caps: a clean stop detaches" "ip link show lo" "xdp"

# start-up errors
"$out/tests/upstream/testdns" --listen=127.0.0.1#53 --id=9 2>/dev/null &
holder=$!
pids+=($holder)
sleep 0.3
check "error: port 53 taken names the holder" \
	"$out/bpfdnsd -k --no-resolv --server=127.0.0.2#5353 --pin-path=$tmp/bpffs/e1 --control-socket=$tmp/e1 2>&1" \
	"held by testdns (pid $holder)"
kill "$holder"; wait "$holder" 2>/dev/null
check "error: without CAP_BPF it says what it needs" \
	"setpriv --bounding-set=-all,+net_admin,+net_bind_service $out/bpfdnsd -k --no-resolv \
	--server=127.0.0.2#5353 --pin-path=$tmp/bpffs/e2 --control-socket=$tmp/e2 2>&1" "needs CAP_BPF and CAP_PERFMON"
check "error: without CAP_NET_ADMIN too" \
	"setpriv --bounding-set=-all,+bpf,+perfmon,+net_bind_service $out/bpfdnsd -k --no-resolv \
	--server=127.0.0.2#5353 --pin-path=$tmp/bpffs/e3 --control-socket=$tmp/e3 2>&1" "needs CAP_NET_ADMIN"

# XDP taken by another bpfdnsd on lo (port 5300): this one falls back to TC
daemon first --no-resolv --server=127.0.0.2#5353 --port=5300 --pin-path="$tmp/bpffs/first" \
	--control-socket="$tmp/first.sock" || e2e_exit
first=$daemon
daemon fallback --no-resolv --server=127.0.0.2#5353 --pin-path="$tmp/bpffs/second" \
	--control-socket="$tmp/second.sock" || e2e_exit
check "xdp busy: falls back to TC with a warning" "cat $dlog" "falling back to the TC hook on lo"
check "xdp busy: and serves" "dig +short +tries=1 @127.0.0.1 tc.example.test" "192.0.2.2"
kill -STOP "$daemon"
check "xdp busy: the TC fast path answers hits" "dig +short +tries=1 @127.0.0.1 tc.example.test" "192.0.2.2"
kill -CONT "$daemon"
stop_daemon
kill "$first"; wait "$first" 2>/dev/null
e2e_exit
