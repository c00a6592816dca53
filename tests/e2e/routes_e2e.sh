#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# routes_e2e.sh - split DNS and local answers, as dnsmasq configures them:
# server=/domain/IP (the longest domain wins; several servers for one),
# server=/domain/# (the default servers), server=/domain/ and local=/domain/
# (never forwarded), address=/domain/IP|#|(nothing), rev-server=, local-ttl.
# What each upstream receives is counted; the local answers are compared
# with the real dnsmasq's, given the same lines. Re-executes itself under
# `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "per-domain servers and local answers" dig dnsmasq jq

dig="dig +tries=1 +time=2 @127.0.0.1"
for id in 3 4 5 6; do upstream "$id"; done
cat >"$tmp/routes.conf" <<CONF
no-resolv
server=127.0.0.3#5353
server=/corp.test/127.0.0.4#5353
server=/corp.test/127.0.0.5#5353
server=/pub.corp.test/#
server=/lan.test/
local=/home.test/
address=/ads.test/192.0.2.99
address=/ads.test/2001:db8::99
address=/block.test/
address=/zero.test/#
address=/v4only.test/192.0.2.7
address=/two.test/192.0.2.8
address=/two.test/192.0.2.9
address=/mix.test/::1
address=/mix.test/192.0.2.10
address=/mix.test/::2
rev-server=10.1.0.0/16,127.0.0.6#5353
CONF
daemon routes -C "$tmp/routes.conf" --log-queries || e2e_exit

sent() { # the queries for NAME each upstream got: "3:n 4:n 5:n 6:n"
	local id out=""
	for id in 3 4 5 6; do out+="$id:$(upstream_count "$id" "$1") "; done
	echo "${out% }"
}
$dig a.corp.test A >/dev/null
ok "server=/corp.test/: asked there, not the default" \
	bash -c "[[ '$(sent a.corp.test)' =~ ^3:0\ 4:[01]\ 5:[01]\ 6:0$ ]] && [ '$(sent a.corp.test)' != '3:0 4:0 5:0 6:0' ]"
$dig b.corp.test A >/dev/null
check "server=/corp.test/: answered" "$dig c.corp.test A +short" "192.0."
$dig a.corp.test A >/dev/null
ok "server=/corp.test/: the answer is cached like any other" \
	bash -c "[ \$(( $(upstream_count 4 a.corp.test) + $(upstream_count 5 a.corp.test) )) = 1 ]"
$dig x.pub.corp.test A >/dev/null
ok "server=/pub.corp.test/#: the longer domain wins: the default servers" [ "$(sent x.pub.corp.test)" = "3:1 4:0 5:0 6:0" ]
$dig other.test A >/dev/null
ok "no domain: the default servers" [ "$(sent other.test)" = "3:1 4:0 5:0 6:0" ]
check "server=/lan.test/: NXDOMAIN" "$dig h.lan.test A" "status: NXDOMAIN"
check "local=/home.test/: NXDOMAIN, any type" "$dig home.test MX" "status: NXDOMAIN"
ok "server=/lan.test/, local=: never forwarded" [ "$(sent h.lan.test) $(sent home.test)" = "3:0 4:0 5:0 6:0 3:0 4:0 5:0 6:0" ]
check "address=/ads.test/: the domain's address" "$dig ads.test A +noall +answer" "ads.test.		0	IN	A	192.0.2.99"
check "address=/ads.test/: and below it, in the asker's case, authoritative" "$dig WWW.Ads.Test A" "flags: qr aa rd ra"
check "address=/ads.test/: AAAA" "$dig www.ads.test AAAA +short" "2001:db8::99"
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
khits() { $ctl stats --json | jq '.bpfdns_kernel_packets_total.hit'; }
k0=$(khits)
$dig www.ads.test AAAA >"$tmp/kernel.out"
ok "address=: the fast path answers it from then on" [ $(($(khits) - k0)) = 1 ]
check "address=: ... with AA and TTL 0, as the daemon does" "cat $tmp/kernel.out" "flags: qr aa rd ra"
check "address=: ... the same record" "cat $tmp/kernel.out" "www.ads.test.		0	IN	AAAA	2001:db8::99"
$dig ads.test MX >/dev/null
ok "address=/ads.test/: other types go to the default servers" [ "$(sent ads.test)" = "3:1 4:0 5:0 6:0" ]
check "address=/block.test/: NXDOMAIN for every type" "$dig x.block.test TXT" "status: NXDOMAIN"
check "address=/zero.test/#: 0.0.0.0" "$dig zero.test A +short" "0.0.0.0"
check "address=/zero.test/#: ::" "$dig zero.test AAAA +short" "::"
$dig v4only.test AAAA >/dev/null
ok "address=/v4only.test/IPv4: AAAA goes upstream" [ "$(sent v4only.test)" = "3:1 4:0 5:0 6:0" ]
$dig -x 10.1.2.3 >/dev/null
$dig -x 10.2.0.1 >/dev/null
ok "rev-server=10.1.0.0/16: its reverse zone there, the rest not" \
	[ "$(sent 3.2.1.10.in-addr.arpa) $(sent 1.0.2.10.in-addr.arpa)" = "3:0 4:0 5:0 6:1 3:1 4:0 5:0 6:0" ]
check "rev-server=: the log says where it went" "cat $dlog" "forwarded 3.2.1.10.in-addr.arpa to 127.0.0.6#5353"
check "bpfdnsctl upstreams: which domains a server is asked for" "$ctl upstreams | grep 127.0.0.4" "for: corp.test"
check "bpfdnsctl upstreams: the default one" "$ctl upstreams | grep 127.0.0.3" "for: ."
check "metrics: the domain of each server" "$ctl stats --json | jq -c .bpfdns_upstream_domain" \
	'"127.0.0.6#5353":{"1.10.in-addr.arpa":1}'
check "servers.bind: the domains' servers too" "$dig CH TXT servers.bind +short" '"127.0.0.5#5353'
stop_daemon

# local-ttl
daemon ttl -C "$tmp/routes.conf" --local-ttl=60 || e2e_exit
check "local-ttl=60: local answers carry it" "$dig ads.test A +noall +answer" "ads.test.		60	IN	A	192.0.2.99"
stop_daemon

# restarted without the address= line: the pinned cache's local answer goes
daemon plain --no-resolv --server=127.0.0.3#5353 || e2e_exit
check "address= line gone after a restart: asked upstream, not the kernel's copy" "$dig ads.test A +short" \
	"192.0.2.3"
stop_daemon

# the same local answers as the real dnsmasq, given the same lines
peer_dnsmasq -C "$tmp/routes.conf" --no-hosts
daemon diff -C "$tmp/routes.conf" --no-hosts || e2e_exit
for q in "ads.test A" "www.ads.test A" "ads.test AAAA" "Ads.TEST ANY" "block.test A" "a.block.test MX" \
	"zero.test A" "zero.test AAAA" "h.lan.test A" "lan.test SOA" "home.test MX" "x.y.home.test AAAA" \
	"v4only.test A" "two.test A" "two.test ANY" "mix.test ANY" "mix.test AAAA" "zero.test ANY"; do
	compare_peer all $q
done
ok "the real dnsmasq answers these $compared local queries alike (status, flags, records)" [ -z "$differ" ]
[ -n "$differ" ] && echo "$differ"
stop_daemon
stop_peer

# dnsmasq's special domains: /#/ every name, server=//IP plain names (but
# domain-needed's A, AAAA and ANY never go upstream), a leading dot
every=(--no-resolv --no-hosts --server=127.0.0.3#5353 --address=/#/192.0.2.5 --server=/corp.test/127.0.0.4#5353
	--server=//127.0.0.6#5353 --domain-needed --address=/.lead.test/192.0.2.6 --address=/two.test/
	--address=/two.test/192.0.2.7)
peer_dnsmasq "${every[@]}"
daemon every "${every[@]}" || e2e_exit
differ="" compared=0
for q in "anything.example A" "x.lead.test A" "lead.test A" "plain A" "plain AAAA" "two.test A" "two.test AAAA"; do
	compare_peer all $q
done
for q in "x.corp.test A" "anything.example MX" "plain MX"; do
	compare_peer status $q
done
ok "/#/, //, leading dots and mixed address lines: answered as dnsmasq does ($compared queries)" [ -z "$differ" ]
[ -n "$differ" ] && echo "$differ"
$dig plain MX >/dev/null
ok "server=//IP: a plain name's MX goes there" [ "$(upstream_count 6 plain)" -ge 1 ]
stop_daemon
stop_peer

# server=IP@interface: its queries leave through that interface only
ip link add bpfdns-v0 type veth peer name bpfdns-v1 && ip link set bpfdns-v0 up && ip link set bpfdns-v1 up
daemon iface --no-resolv --server=127.0.0.3#5353@lo --server=/viadummy.test/127.0.0.4#5353@bpfdns-v0 \
	--server=/nosuchif.test/127.0.0.5#5353@bpfdns-nosuch --query-timeout=500 || e2e_exit
check "server=IP@lo: answered" "$dig iface.example.test A +short" "192.0.2.3"
check "server=IP@lo: named with its interface" "$ctl upstreams" "127.0.0.3#5353@lo"
$dig x.viadummy.test A >/dev/null
ok "server=/d/IP@veth: bound to an interface that cannot reach it, never asked" \
	[ "$(upstream_count 4 x.viadummy.test)" = 0 ]
check "server=/d/IP@nosuchif: SERVFAIL" "$dig x.nosuchif.test A" "SERVFAIL"
$dig CH TXT servers.bind +short >"$tmp/servers.txt"
ok "server=/d/IP@nosuchif: every query to it counted as failed" \
	grep -qE '"127.0.0.5#5353@bpfdns-nosuch ([1-9][0-9]*) \1"' "$tmp/servers.txt"
stop_daemon
ip link del bpfdns-v0 2>/dev/null
e2e_exit
