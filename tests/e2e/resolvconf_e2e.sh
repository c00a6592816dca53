#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# resolvconf_e2e.sh - the upstreams DHCP clients, VPNs and NetworkManager
# learn reach bpfdnsd, while /etc/resolv.conf keeps naming it: the real
# resolvconf (Debian's package, unpacked over this namespace's /etc, /lib
# and /run, never installed on the host) with dist/resolvconf/bpfdns in its
# update.d; NetworkManager's dispatcher script (dist/networkmanager), run
# as NetworkManager runs it; systemd-resolved's list of upstreams as the
# resolv-file. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "resolvconf, NetworkManager and resolved pairing" dig dpkg-deb

deb=$(ls "${BPFDNS_DEB_CACHE:-/var/cache/bpfdns/debs}"/resolvconf_*.deb 2>/dev/null | tail -n 1)
if [ -z "$deb" ]; then
	echo "FAIL $e2e_name: no resolvconf .deb in ${BPFDNS_DEB_CACHE:-/var/cache/bpfdns/debs} (make test-deps)"
	exit 1
fi
src=$(pwd)
dpkg-deb -x "$deb" "$tmp/rc"
# this namespace only: a fresh /run, and resolvconf's files laid over /etc
# and /lib (writes to /etc land in $tmp)
mount -t tmpfs tmpfs /run
mkdir -p "$tmp/etc-up" "$tmp/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/etc-up,workdir=$tmp/etc-work" /etc
mount -t overlay overlay -o "lowerdir=$tmp/rc/lib:$(readlink -f /lib)" "$(readlink -f /lib)"
cp -r "$tmp/rc/etc/resolvconf" /etc/
install -m 755 "$src/dist/resolvconf/bpfdns" /etc/resolvconf/update.d/bpfdns
rc=$tmp/rc/sbin/resolvconf
mkdir -p /run/resolvconf/interface /run/bpfdns # resolvconf.service and the unit's RuntimeDirectory
$rc --enable-updates

for id in 3 4 5; do
	"$out/tests/upstream/testdns" --listen="127.0.0.$id#53" --id="$id" 2>>"$tmp/up$id.err" &
	pids+=($!)
done
dig="dig +tries=1 +time=2 @127.0.0.1"
upstreams() { # what bpfdnsd uses now, once it has said so
	for _ in $(seq 40); do grep -q "upstreams now: $1" "$dlog" && break; sleep 0.05; done
	grep "upstreams now" "$dlog" | tail -n 1
}
: >/run/bpfdns/resolv.conf
daemon rc --resolv-file=/run/bpfdns/resolv.conf || e2e_exit

# what the unit's ExecStartPost does: /etc/resolv.conf names us
echo "nameserver 127.0.0.1" | $rc -a lo.bpfdns
check "resolvconf: lo.bpfdns puts 127.0.0.1 in resolvconf's resolv.conf" "cat /run/resolvconf/resolv.conf" \
	"nameserver 127.0.0.1"
check_not "resolvconf: our own record is not an upstream" "cat /run/bpfdns/resolv.conf" "127.0.0.1"

printf 'nameserver 127.0.0.3\nsearch lan.test\n' | $rc -a eth0.dhclient
check "resolvconf: a DHCP lease's server reaches the resolv-file" "cat /run/bpfdns/resolv.conf" \
	"nameserver 127.0.0.3"
check_not "resolvconf: /etc/resolv.conf still names only us (truncated after 127.0.0.1)" \
	"cat /run/resolvconf/resolv.conf" "127.0.0.3"
check_lines "resolvconf: bpfdnsd takes it up" "upstreams '127.0.0.3#53$'" "upstreams now: 127.0.0.3#53"
check "resolvconf: and answers through it" "$dig a.test A +short" "192.0.2.3"

echo "nameserver 127.0.0.4" | $rc -a tun0
check "resolvconf: a VPN's server comes first (interface-order)" \
	"grep nameserver /run/bpfdns/resolv.conf | tr '\n' ' '" "nameserver 127.0.0.4 nameserver 127.0.0.3"
check "resolvconf: bpfdnsd takes both" "upstreams 127.0.0.4#53" "127.0.0.4#53"
$rc -d eth0.dhclient
check_not "resolvconf: a lease let go leaves the list" "cat /run/bpfdns/resolv.conf" "127.0.0.3"
check_lines "resolvconf: bpfdnsd drops it" "upstreams '127.0.0.4#53$'" "upstreams now: 127.0.0.4#53"
check "resolvconf: and answers through the VPN's" "$dig b.test A +short" "192.0.2.4"
$rc -d lo.bpfdns
check_not "resolvconf: stopped (ExecStopPost), /etc/resolv.conf no longer names us" \
	"cat /run/resolvconf/resolv.conf" "127.0.0.1"
$rc -d tun0

# NetworkManager runs its dispatcher scripts with the connection's servers
# in the environment. With rc-manager=resolvconf it gives resolvconf its
# servers (a record named NetworkManager): resolvconf's hook writes then.
nm=$src/dist/networkmanager/90-bpfdns
echo "nameserver 127.0.0.3" | $rc -a NetworkManager
cp /run/bpfdns/resolv.conf "$tmp/before"
IP4_NAMESERVERS="127.0.0.9" $nm eth0 up
ok "NetworkManager feeding resolvconf: its script leaves the file to resolvconf's hook" \
	cmp -s "$tmp/before" /run/bpfdns/resolv.conf
$rc -d NetworkManager
# dns=none: NetworkManager never feeds resolvconf, even where it runs
IP4_NAMESERVERS="127.0.0.3" IP6_NAMESERVERS="" $nm eth0 up
check "NetworkManager: a connection's servers reach the resolv-file" "cat /run/bpfdns/resolv.conf" \
	"nameserver 127.0.0.3"
check_lines "NetworkManager: bpfdnsd takes them up" "upstreams '127.0.0.3#53$'" "upstreams now: 127.0.0.3#53"
VPN_IP4_NAMESERVERS="127.0.0.5" $nm tun0 vpn-up
check "NetworkManager: a VPN's servers come first" "grep nameserver /run/bpfdns/resolv.conf | tr '\n' ' '" \
	"nameserver 127.0.0.5 nameserver 127.0.0.3"
$nm eth0 connectivity-change
check "NetworkManager: an event without servers keeps them" "cat /run/bpfdns/resolv.conf" "127.0.0.3"
$nm eth0 down
check_lines "NetworkManager: a connection down takes its servers away" "upstreams '127.0.0.5#53$'" \
	"upstreams now: 127.0.0.5#53"
check "NetworkManager: and bpfdnsd answers through the VPN's" "$dig c.test A +short" "192.0.2.5"
IP6_NAMESERVERS="fe80::53 fe80::54%other" DEVICE_IP_IFACE=eth7 $nm eth7 up
check "NetworkManager: a link-local server gets its link" "cat /run/bpfdns/resolv.conf" "nameserver fe80::53%eth7"
check "NetworkManager: ... unless it has one" "cat /run/bpfdns/resolv.conf" "nameserver fe80::54%other"
$nm eth7 down
env IP4_NAMESERVERS=127.0.0.9 "$nm" ../x up
env IP4_NAMESERVERS=127.0.0.9 "$nm" "" up
ok "NetworkManager: odd interface names are ignored" [ "$(ls /run/bpfdns/nm)" = 1-tun0 ]
stop_daemon

# at boot /run is empty: the resolv-file appears when a hook first runs
daemon late --resolv-file=/run/bpfdns/late.conf || e2e_exit
check "a resolv-file not there yet: bpfdnsd starts, saying so" "cat $dlog" \
	"resolv-file /run/bpfdns/late.conf does not exist (yet)"
echo "nameserver 127.0.0.3" >/run/bpfdns/late.conf
check_lines "... and takes it up when it appears" "upstreams '127.0.0.3#53$'" "upstreams now: 127.0.0.3#53"
check "... and answers through it" "$dig e.test A +short" "192.0.2.3"
stop_daemon

# beside systemd-resolved: its list of the real upstreams as resolv-file
mkdir -p /run/systemd/resolve
cat >/run/systemd/resolve/resolv.conf <<'RESOLVED'
# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).
# Do not edit.
#
# Third party programs should typically not access this file directly, but only
# through the symlink at /etc/resolv.conf.

nameserver 127.0.0.4
search lan.test
RESOLVED
daemon resolved --resolv-file=/run/systemd/resolve/resolv.conf || e2e_exit
check "systemd-resolved: its upstream list is read" "$dig d.test A +short" "192.0.2.4"
stop_daemon
e2e_exit
