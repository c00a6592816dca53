#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# querylog_e2e.sh - log-queries writes dnsmasq's lines: the same queries to
# bpfdnsd and to the real dnsmasq (same options, log-queries=extra) give
# the same lines, serial numbers included, whether bpfdnsd answered in the
# daemon or the kernel answered a hit (reported through its ring buffer).
# Then: plain log-queries (no serial), TCP, the TC hook, errors and
# stale answers, a hit log that overflows (counted, never blocking the
# answers), and no ring reader without log-queries. Re-executes itself
# under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "query log" dig dnsmasq jq

upstream 3
printf '192.0.2.77 hostx.lan hostx\n2001:db8::77 hostx.lan\n' >"$tmp/hosts"
chmod 755 "$tmp"
chmod 644 "$tmp/hosts"
opts=(--no-resolv --no-hosts --server=127.0.0.3#5353 --addn-hosts="$tmp/hosts" --address=/blk.test/
	--address=/ip.test/192.0.2.99 --domain-needed --bogus-priv --log-queries=extra)
peer_dnsmasq "${opts[@]}" || e2e_exit
daemon qlog "${opts[@]}" || e2e_exit
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
hits0=$($ctl stats --json | jq '.bpfdns_kernel_packets_total.hit')

# Each query to both, in turn; what both answer alike (dnsmasq 2.90 does
# not cache TXT or MX, so those are left out).
queries=("a.test A" "a.test A" "A.Test A" "a.test AAAA" "a.test AAAA" "cname.x.test A" "cname.x.test A"
	"nx.x.test A" "nx.x.test A" "nodata.x.test A" "nodata.x.test AAAA" "nodata.x.test AAAA" "hostx.lan A"
	"hostx.lan A" "hostx.lan AAAA" "-x 192.0.2.77" "blk.test A" "blk.test A" "ip.test A" "plain A"
	"-x 192.168.0.1" "two.x.test MX")
for q in "${queries[@]}"; do
	# shellcheck disable=SC2086
	dig +tries=1 +time=2 @127.0.0.1 $q >/dev/null
	# shellcheck disable=SC2086
	dig +tries=1 +time=2 @127.0.0.2 $q >/dev/null
done
sleep 0.5
lines() { # LOG SKIP: the query lines, "SERIAL CLIENT/ WHAT" by serial, less SKIP (ports differ)
	sed -E 's/^.*dnsmasq\[[0-9]+\]: //' "$1" | grep -E '^[0-9]+ [0-9a-f.:]+/[0-9]+ ' |
		sed -E 's|^([0-9]+ [^/]+)/[0-9]+ |\1/ |' | awk -v skip="$2" '$1 > skip { $1 -= skip; print }' |
		sort -s -n -k1,1
}
# dnsmasq's serials count peer_dnsmasq's start-up probes too
probes=$(grep -E '^[0-9]+ .*query\[TXT\] version.bind' <(sed -E 's/^.*dnsmasq\[[0-9]+\]: //' "$tmp/dnsmasq.log") |
	tail -n 1 | cut -d' ' -f1)
lines "$dlog" 0 >"$tmp/ours.txt"
lines "$tmp/dnsmasq.log" "${probes:-0}" >"$tmp/theirs.txt"
ok "extra: the same lines as dnsmasq, in the same order ($(wc -l <"$tmp/theirs.txt") lines)" \
	diff "$tmp/theirs.txt" "$tmp/ours.txt"
diff "$tmp/theirs.txt" "$tmp/ours.txt" | head -20
ok "the kernel answered some of them (their lines came through its ring)" \
	[ "$(($($ctl stats --json | jq '.bpfdns_kernel_packets_total.hit') - hits0))" -ge 5 ]
check "a kernel hit: its cached line" "grep -F 'A.Test' $tmp/ours.txt" "cached A.Test is 192.0.2.3"
check "a hosts name answered by the kernel: the file named" "grep -F 'hostx.lan is 192.0.2.77' $tmp/ours.txt | wc -l" 2
stop_peer
stop_daemon

# Plain log-queries, the TC hook, TCP, an upstream's error, SERVFAIL, stale.
upstream 4 --mode=refused
upstream 5 --ttl=1
daemon plain --no-resolv --server=127.0.0.3#5353 --server=/ref.test/127.0.0.4#5353 --server=/dead.test/127.0.0.9#5353 \
	--server=/stale.test/127.0.0.5#5353 --use-stale-cache=60 --log-queries --attach=tc --query-timeout=300 || e2e_exit
dig="dig +tries=1 +time=2 @127.0.0.1"
$dig b.test A >/dev/null
$dig b.test A >/dev/null
$dig +tcp b.test A >/dev/null
$dig x.ref.test A >/dev/null
$dig x.dead.test A >/dev/null
$dig s.stale.test A >/dev/null
kill -USR1 "$up5" # goes dark
sleep 1.2
$dig s.stale.test A >/dev/null
sleep 0.3
check_lines "plain: no serial" "cat $dlog" \
	$'query[A] b.test from 127.0.0.1\nforwarded b.test to 127.0.0.3#5353\nreply b.test is 192.0.2.3'
ok "TC hook: the kernel's hit logged" [ "$(grep -c '^cached b.test is 192.0.2.3' "$dlog")" -ge 2 ]
check "an upstream's error" "cat $dlog" "reply error is REFUSED"
check_lines "no upstream answered: our SERVFAIL" "cat $dlog" \
	$'forwarded x.dead.test to 127.0.0.9#5353\nconfig error is SERVFAIL'
check "an expired entry served when its upstream is dark" "cat $dlog" "cached-stale s.stale.test is 192.0.2.5"
check_not "no trailing dots on names" "grep -E '^(query|forwarded|reply|cached|config)' $dlog" "test. "
stop_daemon

# One miss shared by three clients: its lines go under the first's serial,
# as dnsmasq's; a TCP query that waits for room keeps its serial; type names.
upstream 6 --delay=300
# (all-servers: no background probe takes the one slot)
daemon serial --no-resolv --server=127.0.0.6#5353 --log-queries=extra --dns-forward-max=1 --all-servers || e2e_exit
digs=()
for _ in 1 2 3; do $dig same.slow.test A >/dev/null & digs+=($!); done
wait "${digs[@]}"
sleep 0.3
first=$(grep -F "query[A] same.slow.test" "$dlog" | head -n 1 | cut -d' ' -f1)
ok "three clients shared one miss (one forwarded line)" [ "$(grep -c "forwarded same.slow.test" "$dlog")" = 1 ]
ok "a shared miss: forwarded and reply under the first client's serial ($first)" \
	[ "$(grep -E "(forwarded|reply) same.slow.test" "$dlog" | cut -d' ' -f1 | sort -u)" = "$first" ]
digs=()
for n in t1 t2; do $dig +tcp "$n.slow.test" A >/dev/null & digs+=($!); done
wait "${digs[@]}"
replies_have_queries() { # PATTERN: each serial with a reply for PATTERN has a query line
	local n
	[ "$(grep -cE "reply $1" "$dlog")" -ge 2 ] || return 1
	for n in $(grep -E "reply $1" "$dlog" | cut -d' ' -f1); do grep -q "^$n .*query\[A\]" "$dlog" || return 1; done
}
sleep 0.3
ok "a TCP query that waited for room: its lines under its own query's serial" replies_have_queries 't[12].slow.test'

$dig ds.slow.test DS >/dev/null
check "type names as dnsmasq's" "cat $dlog" "query[DS] ds.slow.test from 127.0.0.1"
stop_daemon

# A client that joins a refresh (prefetch) gets its reply line, under its
# own serial: the refresh had no client of its own
upstream 7 --ttl=2 --delay=3000
daemon prefetch --no-resolv --server=127.0.0.7#5353 --prefetch=90 --log-queries=extra --query-timeout=5000 ||
	e2e_exit
$dig +time=5 p.pf.test A >/dev/null # a miss: stored after 3 s, for 2 s
sleep 1
$dig p.pf.test A >/dev/null # a hit late in its TTL: a refresh starts (3 s)
sleep 1.3
$dig +time=5 p.pf.test A >/dev/null # expired: joins the refresh
sleep 0.3
third=$(grep -F "query[A] p.pf.test" "$dlog" | sed -n 3p | cut -d' ' -f1)
ok "the third client joined the refresh (it forwarded nothing itself)" bash -c "! grep -q '^$third .*forwarded' $dlog"
ok "a client that joined a refresh: its reply line ($third)" grep -q "^$third .*reply p.pf.test is" "$dlog"
stop_daemon

# A flood of kernel hits while the daemon is stopped: the ring fills,
# losses are counted, and the kernel still answers every query.
daemon flood --no-resolv --server=127.0.0.3#5353 --log-queries || e2e_exit
$dig f.test A >/dev/null
kill -STOP "$daemon"
for _ in $(seq 1200); do echo "f.test A"; done >"$tmp/flood.txt"
answered=$(dig +tries=1 +time=1 @127.0.0.1 -f "$tmp/flood.txt" +short | grep -c 192.0.2.3)
kill -CONT "$daemon"
ok "a full log ring: every hit still answered by the kernel ($answered/1200)" [ "$answered" = 1200 ]
lost=$($ctl stats --json | jq '.bpfdns_kernel_query_log_lost_total')
ok "and the records it could not hold are counted ($lost)" [ "$lost" -gt 0 ]
check "the daemon goes on logging" "$dig g.test A +short; sleep 0.3; cat $dlog" "reply g.test is 192.0.2.3"
stop_daemon

# A log whose reader stalls (a pipe, journald) never stalls the answers:
# lines that would block are dropped, and counted once it reads again.
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
pids+=($reader)
daemon_out=$tmp/fifo daemon_log=$tmp/fifo.out daemon stall --no-resolv --server=127.0.0.3#5353 \
	--log-queries=extra || e2e_exit
kill -STOP "$reader"
for i in $(seq 600); do echo "m$i.stall.test A"; done >"$tmp/stall.txt"
answered=$(dig +tries=2 +time=1 @127.0.0.1 -f "$tmp/stall.txt" +short | grep -c '^192.0.2.3$')
ok "a stalled log reader: every one of 600 misses still answered ($answered)" [ "$answered" = 600 ]
kill -CONT "$reader"
# the reader drains the pipe at its own pace: ask until the lines come
for i in $(seq 20); do
	$dig "after$i.stall.test" A >/dev/null
	sleep 0.2
	grep -q "reply after[0-9]*.stall.test is" "$tmp/fifo.out" && break
done
check "... and the lines it could not take are counted" "cat $tmp/fifo.out" \
	"log lines dropped: the log's reader is not keeping up"
ok "... and logging goes on" grep -qE "reply after[0-9]+.stall.test is 192.0.2.3" "$tmp/fifo.out"
stop_daemon

# Without log-queries the program carries no hit log at all.
daemon quiet --no-resolv --server=127.0.0.3#5353 || e2e_exit
lost=$($ctl stats --json | jq '.bpfdns_kernel_query_log_lost_total')
$dig q.test A >/dev/null
dig +tries=1 +time=1 @127.0.0.1 -f "$tmp/flood.txt" >/dev/null
check_not "no log-queries: no query lines" "cat $dlog" "query[A]"
ok "no log-queries: no hit is reported, none lost" \
	[ "$($ctl stats --json | jq '.bpfdns_kernel_query_log_lost_total')" = "$lost" ]
stop_daemon
e2e_exit
