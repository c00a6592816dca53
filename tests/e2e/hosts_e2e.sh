#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# hosts_e2e.sh - names from hosts files, as dnsmasq answers them:
# /etc/hosts by default (a test file bound over it in this private mount
# namespace), no-hosts, addn-hosts, expand-hosts with domain=, PTR for
# their addresses, localhost always local (RFC 6761), re-read when a file
# changes and on SIGHUP; answers compared with the real dnsmasq's.
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "hosts files" dig dnsmasq jq

dig="dig +tries=1 +time=2 @127.0.0.1"
upstream 3
cat >"$tmp/hosts" <<HOSTS
# a LAN's names
192.0.2.10 web web.lan.test
192.0.2.11 db.lan.test db # and a comment
2001:db8::12 v6only.lan.test
192.0.2.13 both.lan.test
2001:db8::13 both.lan.test
not-an-ip bogus.lan.test
192.0.2.14 printer
HOSTS
printf '127.0.0.1 localhost\n192.0.2.50 etchosts.test\n' >"$tmp/etc-hosts"
mount --bind "$tmp/etc-hosts" /etc/hosts

daemon hosts --no-resolv --server=127.0.0.3#5353 --addn-hosts="$tmp/hosts" --expand-hosts --domain=lan.test \
	--log-queries || e2e_exit
check "/etc/hosts is read by default" "$dig etchosts.test A +short" "192.0.2.50"
check "addn-hosts: a name's A, authoritative, TTL 0" "$dig web.lan.test A +noall +answer" "web.lan.test.		0	IN	A	192.0.2.10"
check "addn-hosts: an alias, in the asker's case" "$dig DB.Lan.Test A +noall +answer" "DB.Lan.Test.		0	IN	A	192.0.2.11"
check "addn-hosts: AAAA" "$dig v6only.lan.test AAAA +short" "2001:db8::12"
check "addn-hosts: ANY gets both" "$dig both.lan.test ANY +noall +answer | wc -l" "2"
check "expand-hosts: a plain name gets domain=" "$dig printer.lan.test A +short" "192.0.2.14"
check "PTR: the first name of the address's line" "$dig -x 192.0.2.10 +short" "web."
check "PTR: IPv6" "$dig -x 2001:db8::12 +short" "v6only.lan.test."
$dig web.lan.test AAAA >/dev/null
$dig web.lan.test MX >/dev/null
ok "a type the name has no address of goes upstream (as dnsmasq)" [ "$(upstream_count 3 web.lan.test)" = 2 ]
ok "a name in a hosts file never goes upstream for its type" [ "$(upstream_count 3 db.lan.test)" = 0 ]
check "localhost: A" "$dig localhost A +short" "127.0.0.1"
check "localhost: a hosts file names it with 127.0.0.1 only: AAAA is no data" "$dig localhost AAAA" \
	"ANSWER: 0"
check "localhost: other types are no data" "$dig localhost MX" "status: NOERROR"
check "x.localhost: loopback too (RFC 6761)" "$dig x.localhost A +short" "127.0.0.1"
ok "localhost: never upstream" [ "$(upstream_count 3 localhost)$(upstream_count 3 x.localhost)" = 00 ]
$dig cached.lan.test A >/dev/null # from upstream, into the kernel's cache
$dig pinned.lan.test A >/dev/null
echo "192.0.2.20 new.lan.test" >>"$tmp/hosts"
echo "192.0.2.22 cached.lan.test" >>"$tmp/hosts"
sleep 0.5
check "a changed hosts file is re-read" "$dig new.lan.test A +short" "192.0.2.20"
check "a name cached from upstream, then added to a hosts file: the file's answer" "$dig cached.lan.test A +short" \
	"192.0.2.22"
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
k0=$($ctl stats --json | jq '.bpfdns_kernel_packets_total.hit')
$dig new.lan.test A >/dev/null
ok "a hosts name: the fast path answers it from then on" \
	[ $(($($ctl stats --json | jq '.bpfdns_kernel_packets_total.hit') - k0)) = 1 ]
sed -i 's/^192.0.2.20 new.lan.test/192.0.2.24 new.lan.test/' "$tmp/hosts"
sleep 0.5
check "a hosts name changed in the file: the new address, not the kernel's copy" "$dig new.lan.test A +short" \
	"192.0.2.24"
sed -i '/new.lan.test/d' "$tmp/hosts"
sleep 0.5
check "a hosts name removed from the file: asked upstream, not the kernel's copy" "$dig new.lan.test A +short" \
	"192.0.2.3"
stop_daemon
# the cache stays pinned across restarts; a name a hosts file now has leaves it
echo "192.0.2.23 pinned.lan.test" >>"$tmp/hosts"
daemon restart --no-resolv --server=127.0.0.3#5353 --addn-hosts="$tmp/hosts" || e2e_exit
check "restarted: a pinned entry of a name a hosts file now has is dropped" "$dig pinned.lan.test A +short" \
	"192.0.2.23"
check "restarted: says so" "cat $dlog" "answered locally removed"
stop_daemon

daemon nohosts --no-resolv --server=127.0.0.3#5353 --no-hosts --no-poll --addn-hosts="$tmp/hosts" || e2e_exit
$dig etchosts.test A >/dev/null
ok "no-hosts: /etc/hosts is not read" [ "$(upstream_count 3 etchosts.test)" = 1 ]
check "localhost is local without a hosts file too" "$dig localhost A +short" "127.0.0.1"
check "localhost without a hosts file: ::1 for AAAA" "$dig localhost AAAA +short" "::1"
echo "192.0.2.21 hup.lan.test" >>"$tmp/hosts"
sleep 0.3
$dig hup.lan.test A >/dev/null
kill -HUP "$daemon"
sleep 0.3
check "no-poll: SIGHUP re-reads the hosts files" "$dig hup.lan.test A +short" "192.0.2.21"
stop_daemon

# the same answers as the real dnsmasq, given the same file and options
# (it reads hosts files as its own user)
chmod 755 "$tmp"
chmod 644 "$tmp/hosts"
peer_dnsmasq --no-resolv --no-hosts --server=127.0.0.3#5353 --addn-hosts="$tmp/hosts" --expand-hosts \
	--domain=lan.test
daemon diff --no-resolv --no-hosts --server=127.0.0.3#5353 --addn-hosts="$tmp/hosts" --expand-hosts \
	--domain=lan.test || e2e_exit
for q in "web A" "web.lan.test A" "WEB.LAN.test A" "db A" "db.lan.test ANY" "v6only.lan.test AAAA" \
	"both.lan.test ANY" "both.lan.test A" "printer.lan.test A" "printer A" "-x 192.0.2.10" "-x 192.0.2.11" \
	"-x 2001:db8::13" "-x 192.0.2.14" "hup.lan.test A"; do
	compare_peer all $q
done
ok "the real dnsmasq answers these $compared queries alike (status, flags, records)" [ -z "$differ" ]
[ -n "$differ" ] && echo "$differ"
stop_daemon
stop_peer

# names a hosts file has, under local=, address=/d/ and domain-needed: no
# data, never NXDOMAIN (which would deny the names below them); a name of
# 150 addresses: TC for a 512-byte client, whole over TCP
{
	printf '192.0.2.10 printer.home.test\n192.0.2.11 nas\n192.0.2.12 www.blocked.test\n127.0.0.1 localhost\n'
	for i in $(seq 150); do echo "10.9.$((i / 250)).$((i % 250 + 1)) big.test"; done
} >"$tmp/lan-hosts"
chmod 644 "$tmp/lan-hosts"
lan=(--no-resolv --no-hosts --server=127.0.0.3#5353 --addn-hosts="$tmp/lan-hosts" --local=/home.test/ --domain-needed
	--address=/blocked.test/)
peer_dnsmasq "${lan[@]}"
daemon lan "${lan[@]}" || e2e_exit
differ="" compared=0
for q in "home.test A" "home.test NS" "printer.home.test AAAA" "printer.home.test MX" "nas AAAA" "nope.home.test A" \
	"www.blocked.test AAAA" "www.blocked.test A" "blocked.test A" "x.blocked.test A" "test A" "localhost A" \
	"localhost AAAA"; do
	compare_peer all $q
done
compare_peer status big.test A +bufsize=512 +ignore
ok "the real dnsmasq answers these $compared queries alike (no data, not NXDOMAIN)" [ -z "$differ" ]
[ -n "$differ" ] && echo "$differ"
check "150 addresses: TC for a 512-byte client" "$dig big.test A +bufsize=512 +ignore" "tc rd ra"
check "150 addresses: all of them over TCP" "$dig big.test A +tcp +short | wc -l" "150"
stop_daemon
stop_peer

# hostsdir=: every file in it, and one added later
mkdir "$tmp/hostsdir"
echo "192.0.2.30 first.dir.test" >"$tmp/hostsdir/one"
daemon hostsdir --no-resolv --no-hosts --server=127.0.0.3#5353 --hostsdir="$tmp/hostsdir" || e2e_exit
check "hostsdir: its files are read" "$dig first.dir.test A +short" "192.0.2.30"
echo "192.0.2.31 second.dir.test" >"$tmp/hostsdir/two"
sleep 0.5
check "hostsdir: a file added later is read" "$dig second.dir.test A +short" "192.0.2.31"
rm "$tmp/hostsdir/one"
sleep 0.5
check "hostsdir: a file removed takes its names with it" "$dig first.dir.test A +short" "192.0.2.3"
stop_daemon

# local data only, no upstream at all: it starts, as dnsmasq does
daemon localonly --no-resolv --no-hosts --addn-hosts="$tmp/lan-hosts" || e2e_exit
check "no upstream: says so" "cat $dlog" "no default upstream servers"
check "no upstream: local names answered" "$dig nas A +short" "192.0.2.11"
check "no upstream: other names SERVFAIL at once" "$dig elsewhere.test A" "status: SERVFAIL"
stop_daemon
e2e_exit
