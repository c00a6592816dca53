#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# daemon_e2e.sh - bpfdnsd as a user runs it, with dig and kdig as clients:
# a miss goes upstream and the repeat is answered in the kernel (even with
# the daemon stopped), TTLs count down, NXDOMAIN is cached, letter case is
# echoed, TCP clients, CHAOS names, SIGUSR1, pinned maps kept warm across a
# restart. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd end to end" dig kdig

upstream 2 --ttl=300
echo "nameserver 127.0.0.2#5353" >"$tmp/resolv"
daemon bpfdnsd --resolv-file="$tmp/resolv" --log-queries || e2e_exit
dig="dig +tries=1 +time=2 @127.0.0.1"

check "miss: answered through the upstream" "$dig www.example.test A +short" "192.0.2.2"
check_lines "miss: the query log, in dnsmasq's lines" "cat $dlog" $'query[A] www.example.test from 127.0.0.1
forwarded www.example.test to 127.0.0.2#5353\nreply www.example.test is 192.0.2.2'
check "miss: a mixed-case miss gets its own case back" "$dig MiXeD.Example.TEST A" "MiXeD.Example.TEST."
kill -STOP "$daemon"
check "hit: answered by the kernel while the daemon is stopped" "$dig www.example.test A +short" "192.0.2.2"
check "hit: the kernel echoes a mixed-case repeat's case" "$dig WWW.Example.TEST A" "WWW.Example.TEST."
check "hit: kdig over IPv6 from the kernel" "kdig +retry=0 +timeout=2 @::1 www.example.test A" "192.0.2.2"
kill -CONT "$daemon"
ok "hit: the upstream saw one query for the name" test "$(upstream_count 2 www.example.test)" = 1
check "hit: counted as a kernel hit (hits.bind)" "$dig CH TXT hits.bind +short" '"3"'

sleep 2.2
ttl=$($dig www.example.test A +noall +answer | awk '{ print $2 }')
ok "ttl: counts down in cached answers ($ttl after 2 s)" test "${ttl:-0}" -le 298 -a "${ttl:-0}" -ge 290

check "nxdomain: the upstream's NXDOMAIN" "$dig nx.example.test A" "status: NXDOMAIN"
check "nxdomain: the repeat too" "$dig nx.example.test A" "status: NXDOMAIN"
ok "nxdomain: cached (one upstream query)" test "$(upstream_count 2 nx.example.test)" = 1
check "nodata: empty NOERROR with the SOA" "$dig nodata.example.test A" "ANSWER: 0, AUTHORITY: 1"

check "tcp: dig +tcp gets the answer" "$dig +tcp tcp.example.test A +short" "192.0.2.2"
check "tcp: kdig +tcp over IPv6" "kdig +tcp +retry=0 @::1 tcp6.example.test AAAA +short" "2001:db8::2"
check "tcp: over 1232 bytes (150 records) comes over TCP" "$dig +tcp huge.example.test A +noall +answer | wc -l" "150"
check "tcp: the same over UDP is truncated" "$dig +ignore +notcp huge.example.test A" "flags: qr tc"
# too big for an entry (150 records): relayed, with our OPT for the upstream's
check "relay: our OPT replaces the upstream's (UDP size ours)" "$dig +tcp huge.r2.example.test A" "udp: 1232"
check_not "relay: the upstream's server cookie is not passed on" "$dig +tcp huge.r3.example.test A" "COOKIE:"
check_not "relay: no OPT for a client that sent none" "$dig +tcp +noedns huge.r4.example.test A" "OPT PSEUDOSECTION"
check "relay: and all 150 records" "$dig +tcp +noedns huge.r5.example.test A +noall +answer | wc -l" "150"
check "udp: over 512 bytes without EDNS is truncated" "$dig +ignore +noedns big.example.test A" "flags: qr tc"
check "udp: with EDNS 1232 it fits" "$dig +bufsize=1232 big.example.test A +noall +answer | wc -l" "60"
check "tcp: pipelined queries on one connection" \
	"kdig +tcp +keepopen @127.0.0.1 p1.example.test A p2.example.test A +short" "192.0.2.2"

check "chaos: cachesize.bind" "$dig CH TXT cachesize.bind +short" '"8192"'
check "chaos: servers.bind lists the upstream" "$dig CH TXT servers.bind +short" "127.0.0.2#5353"
check "chaos: insertions.bind" "$dig CH TXT insertions.bind +short" '"'
check "chaos: misses.bind" "$dig CH TXT misses.bind +short" '"'
check "chaos: evictions.bind" "$dig CH TXT evictions.bind +short" '"0"'
kill -USR1 "$daemon"
sleep 0.3
check "SIGUSR1: statistics in the log" "cat $dlog" "server 127.0.0.2#5353: queries sent"

check "pin: maps pinned under --pin-path (bpffs mounted there)" "ls $tmp/bpffs/bpfdns" "cache"
stop_daemon
check "SIGTERM: stops cleanly" "cat $dlog" "stopping"
check_not "SIGTERM: the program is detached" "ip link show lo" "xdp"
kill "$up2"
daemon restarted --resolv-file="$tmp/resolv" --log-queries --attach=tc || e2e_exit
kill -STOP "$daemon"
check "restart: the pinned cache is warm, answered by the TC hook (upstream gone, daemon stopped)" \
	"$dig www.example.test A +short" "192.0.2.2"
kill -CONT "$daemon"
stop_daemon
check_not "SIGTERM: the TC program is removed" "tc filter show dev lo ingress" "bpfdns"
e2e_exit
