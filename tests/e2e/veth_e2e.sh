#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# veth_e2e.sh - the fast path on a veth, with the client in another network
# namespace behind it (a container): attach=auto picks the TC hook there,
# since native XDP's answers are lost unless the peer runs XDP too; with
# it and with attach=xdp-generic (TC behind it) every cached lookup, IPv4
# and IPv6, a ~1000-byte answer among them, is answered by the kernel and
# reaches the client, and a forged loopback source from the container's
# link gets nothing. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "the fast path on a veth" dig jq

ns=bpfdns-c$$
client_ns "$ns" bpfdns-v0 198.18.7.2/24 2001:db8:7::2/64
ip addr add 198.18.7.1/24 dev bpfdns-v0
ip addr add 2001:db8:7::1/64 dev bpfdns-v0 nodad

upstream 3
daemon veth --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-v0 --listen-address=198.18.7.1 \
	--listen-address=2001:db8:7::1 --access-control=198.18.7.0/24,allow --access-control=2001:db8:7::/64,allow ||
	e2e_exit
check "auto: a veth gets the TC hook, and the log says why" "cat $dlog" \
	"bpfdns-v0 is a veth, whose native XDP answers are lost unless its peer runs XDP: the TC hook"
check "auto: attached" "cat $dlog" "fast path attached to bpfdns-v0 (tc)"
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
kstat() { $ctl stats --json | jq ".bpfdns_kernel_packets_total.$1"; }
cdig() { ip netns exec "$ns" dig +tries=1 +time=2 "$@"; }

sixty() { # HOOK: 60 cached lookups, every one arrived and answered by the kernel
	local h0 n=0
	cdig @198.18.7.1 c.veth.test A +short >/dev/null # into the cache
	cdig @2001:db8:7::1 c.veth.test AAAA +short >/dev/null
	cdig @198.18.7.1 +bufsize=1232 big.veth.test A +short >/dev/null
	h0=$(kstat hit)
	for _ in $(seq 20); do
		cdig @198.18.7.1 c.veth.test A +short | grep -q 192.0.2.3 && n=$((n + 1))
		cdig @2001:db8:7::1 c.veth.test AAAA +short | grep -q 2001:db8::3 && n=$((n + 1))
		[ "$(cdig @198.18.7.1 +bufsize=1232 big.veth.test A +short | wc -l)" = 60 ] && n=$((n + 1))
	done
	ok "$1: 60 cached lookups from the container (IPv4, IPv6, 60 records): every answer arrived ($n)" \
		[ "$n" = 60 ]
	ok "$1: ... and the kernel answered every one ($(($(kstat hit) - h0)) hits)" [ "$(($(kstat hit) - h0))" = 60 ]
}
# an on-link attacker sending as 127.0.0.1 or ::1 (what only lo may carry)
dns_query c.veth.test "$tmp/q.bin"
forged() { # HOOK
	local d0
	d0=$(kstat denied)
	ok "$1: a forged 127.0.0.1 from the container's link: no answer" \
		test "$(forge "$ns" 198.18.7.1 127.0.0.1 bpfdns-v0 "$tmp/q.bin")" = none
	ok "$1: ... nor ::1" test "$(forge "$ns" 2001:db8:7::1 ::1 bpfdns-v0 "$tmp/q.bin")" = none
	ok "$1: ... both denied by the fast path" test "$(($(kstat denied) - d0))" = 2
	ok "$1: ... while its own address is answered (the check works)" \
		test "$(forge "$ns" 198.18.7.1 198.18.7.2 bpfdns-v0 "$tmp/q.bin")" = rcode=0
}
sixty auto
forged auto
stop_daemon

daemon vethgeneric --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-v0 --listen-address=198.18.7.1 \
	--listen-address=2001:db8:7::1 --access-control=198.18.7.0/24,allow --access-control=2001:db8:7::/64,allow \
	--attach=xdp-generic || e2e_exit
check "attach=xdp-generic: generic XDP on the veth, TC behind it" "cat $dlog" \
	"fast path attached to bpfdns-v0 (xdp-generic)"
sixty xdp-generic
forged xdp-generic
stop_daemon

daemon vethxdp --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-v0 --listen-address=198.18.7.1 \
	--access-control=198.18.7.0/24,allow --attach=xdp || e2e_exit
check "attach=xdp on a veth: kept, with a warning" "cat $dlog" \
	"attach=xdp on bpfdns-v0 (veth): answers are lost unless its peer runs an XDP program"
stop_daemon
ok "bind-interfaces and an interface= naming no interface: refused at once, as dnsmasq" \
	bash -c "! $out/bpfdnsd -k --no-resolv --interface=bpfdns-nosuch --bind-interfaces \
	--pin-path=$tmp/bpffs/nosuch --control-socket=$tmp/nosuch.sock >$tmp/nosuch.log 2>&1"
check "... saying so" "cat $tmp/nosuch.log" "interface=bpfdns-nosuch: no such interface"
ok "... before any pin or socket" bash -c "[ ! -e $tmp/bpffs/nosuch ] && [ ! -e $tmp/nosuch.sock ]"
daemon lo --no-resolv --server=127.0.0.3#5353 || e2e_exit
check "auto on lo: XDP" "cat $dlog" "fast path attached to lo (xdp)"
stop_daemon
e2e_exit
