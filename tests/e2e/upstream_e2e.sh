#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# upstream_e2e.sh - bpfdnsd against misbehaving upstreams (the project's
# test upstream in each fault mode): lookups keep working while any upstream
# can answer, bad replies never win, identical misses share one upstream
# query, truncated replies are retried over TCP, the resolv-file is re-read
# when it changes. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd with faulty upstreams" dig

dig="dig +tries=1 +time=3 @127.0.0.1"
common=(--no-resolv --query-timeout=1000 --log-queries --all-servers) # racing; hedged has its own part

# every lookup answered, each within LIMIT ms (dig's own timing)
all_fast() { # PREFIX COUNT LIMIT
	local i t worst=0
	for i in $(seq "$2"); do
		o=$($dig "$1$i.example.test" A)
		grep -q "status: NOERROR" <<<"$o" || { echo "$1$i: $o"; return 1; }
		t=$(awk '/Query time:/ { print $4 }' <<<"$o")
		[ "$t" -gt "$worst" ] && worst=$t
	done
	echo "worst $worst ms" >"$tmp/worst"
	[ "$worst" -le "$3" ]
}

# 1. a dropping upstream, a closed port and a live one, raced
upstream 3 --mode=drop
upstream 4
daemon mixed "${common[@]}" --server=127.0.0.3#5353 --server=127.0.0.9#5353 --server=127.0.0.4#5353 ||
	e2e_exit
ok "[dropping, closed, live]: 20 lookups, each well under the timeout" all_fast mix 20 200
check "[dropping, closed, live]: the live one won (its address in the replies)" "grep '^reply ' $dlog" "is 192.0.2.4"
echo "   ($(cat "$tmp/worst"))"
check "servers.bind: the closed port counts failures" "$dig CH TXT servers.bind +short" '"127.0.0.9#5353 20 20"'
stop_daemon

# 2. SERVFAIL, REFUSED, garbage, wrong ID, wrong question: fast but bad,
# beside a good upstream 50 ms away
upstream 6 --delay=50
for mode in servfail refused garbage wrong-id wrong-question; do
	upstream 5 --mode=$mode
	daemon $mode "${common[@]}" --server=127.0.0.5#5353 --server=127.0.0.6#5353 || e2e_exit
	check "$mode beside a slower good upstream: the good answer wins" "$dig $mode.example.test A +short" \
		"192.0.2.6"
	stop_daemon
	kill "$up5"
	wait "$up5" 2>/dev/null
done

# 3. alone, bad upstreams: their answer when they have one, else SERVFAIL in time
upstream 5 --mode=refused
daemon refused-alone "${common[@]}" --server=127.0.0.5#5353 || e2e_exit
check "REFUSED only: the client gets REFUSED" "$dig alone.example.test A" "status: REFUSED"
stop_daemon
kill "$up5"
wait "$up5" 2>/dev/null
for mode in drop garbage wrong-id; do
	upstream 5 --mode=$mode
	daemon $mode-alone "${common[@]}" --server=127.0.0.5#5353 || e2e_exit
	check "$mode only: SERVFAIL at the deadline, not a hang" "$dig alone.example.test A" "status: SERVFAIL"
	stop_daemon
	kill "$up5"
	wait "$up5" 2>/dev/null
done

# 3b. a 200 ms upstream beside a dropping one: answered at its speed
upstream 12 --delay=200
upstream 13 --mode=drop
daemon slow200 "${common[@]}" --server=127.0.0.13#5353 --server=127.0.0.12#5353 || e2e_exit
o=$($dig slow.example.test A)
t=$(awk '/Query time:/ { print $4 }' <<<"$o")
ok "200 ms slow beside dropping: answered (${t:-?} ms), well before the timeout" \
	test "$(grep -c 192.0.2.12 <<<"$o")" = 1 -a "${t:-9999}" -lt 900
stop_daemon

# 3c. every upstream down, then one back: SERVFAIL in time, then answers
kill -USR1 "$up12" # dark
daemon down-up "${common[@]}" --server=127.0.0.13#5353 --server=127.0.0.12#5353 || e2e_exit
check "all down: SERVFAIL at the deadline" "$dig down.example.test A" "status: SERVFAIL"
kill -USR1 "$up12" # back
check "one back: answered again, no restart needed" "$dig up.example.test A +short" "192.0.2.12"
stop_daemon
kill "$up12" "$up13"
wait "$up12" "$up13" 2>/dev/null

# 4. truncated over UDP: asked again over TCP
upstream 7 --mode=tc
daemon tc "${common[@]}" --server=127.0.0.7#5353 || e2e_exit
check "TC: the daemon retries over TCP and answers in full" "$dig tc.example.test A +short" "192.0.2.7"
check "TC: the upstream saw UDP, then TCP" "cat $tmp/up7.log" "tcp tc.example.test."
stop_daemon
upstream 8 --mode=tc --no-tcp
daemon tc-notcp "${common[@]}" --server=127.0.0.8#5353 || e2e_exit
check "TC with TCP dead: SERVFAIL, not a truncated answer with no records" "$dig +ignore tcdead.example.test A" \
	"status: SERVFAIL"
stop_daemon

# 5. identical misses in flight share one race
upstream 10 --delay=300
daemon shared "${common[@]}" --server=127.0.0.10#5353 || e2e_exit
for i in 1 2 3 4 5; do $dig shared.example.test A +short >"$tmp/shared$i" & done
wait_jobs() { local j; for j in $(jobs -p); do case " ${pids[*]} " in *" $j "*) ;; *) wait "$j" ;; esac; done; }
wait_jobs
ok "shared race: five concurrent clients all answered" test "$(cat "$tmp"/shared? | grep -c 192.0.2.10)" = 5
ok "shared race: one upstream query for the five" test "$(upstream_count 10 shared.example.test)" = 1
check "shared race: misses.bind counts all five" "$dig CH TXT misses.bind +short" '"5"'
stop_daemon

# 6. expired entries leave the map (swept every 5 s), counted apart from evictions
upstream 11 --ttl=1
daemon expiry "${common[@]}" --server=127.0.0.11#5353 --pin-path="$tmp/bpffs/expiry" || e2e_exit
check "expiry: a 1 s answer" "$dig short.example.test A +short" "192.0.2.11"
ok "expiry: the entry is in the map" test "$(bpftool map dump pinned "$tmp/bpffs/expiry/cache" | grep -c '"key"')" = 1
sleep 6
ok "expiry: gone from the map within the sweep period" \
	test "$(bpftool map dump pinned "$tmp/bpffs/expiry/cache" | grep -c '"key"')" = 0
check "expiry: not counted as an eviction" "$dig CH TXT evictions.bind +short" '"0"'
stop_daemon

# 6b. large answers (cache_big, an eighth of cache-size, 64 at least): a stub
# whose answer that map's LRU evicted goes at the next sweep, as an eviction
upstream 12 --ttl=300
daemon bigevict "${common[@]}" --server=127.0.0.12#5353 --pin-path="$tmp/bpffs/bigevict" --cache-size=512 ||
	e2e_exit
for i in $(seq 100); do $dig +bufsize=1232 "big.n$i.example.test" A +short >/dev/null; done
sleep 6
stubs=$(bpftool map dump pinned "$tmp/bpffs/bigevict/cache" | grep -c '"key"')
bigs=$(bpftool map dump pinned "$tmp/bpffs/bigevict/cache_big" | grep -c '"key"')
ok "large answers: cache_big held some ($bigs of 100)" test "$bigs" -gt 0 -a "$bigs" -lt 100
ok "large answers: a stub for each, none left without one ($stubs stubs)" test "$stubs" = "$bigs"
check_not "large answers: the lost ones counted as evictions" "$dig CH TXT evictions.bind +short" '"0"'
stop_daemon

# 7. privileges dropped after set-up: still fills the cache and answers
daemon nobody "${common[@]}" --server=127.0.0.4#5353 --user=nobody || e2e_exit
check "user=nobody: a miss is answered" "$dig nobody.example.test A +short" "192.0.2.4"
check "user=nobody: and cached (insertions.bind)" "$dig CH TXT insertions.bind +short" '"1"'
check "user=nobody: keeps only CAP_NET_ADMIN, CAP_BPF and CAP_NET_BIND_SERVICE" \
	"grep CapEff /proc/$daemon/status" "CapEff:	0000008000001400"
check "user=nobody: nothing more in its bounding set" "grep CapBnd /proc/$daemon/status" \
	"CapBnd:	0000008000001400"
check "user=nobody: no new privileges" "grep NoNewPrivs /proc/$daemon/status" "NoNewPrivs:	1"
ok "user=nobody: the pins stay root's" test "$(stat -c %U "$tmp/bpffs/bpfdns")" = root
nobody_cannot_rm() { # PIN: it exists, and a process of nobody cannot remove it
	test -e "$1" && ! setpriv --reuid=nobody --regid=nogroup --clear-groups rm -f "$1" 2>/dev/null && test -e "$1"
}
chmod 755 "$tmp" "$tmp/bpffs" # only the pin directory's own mode stands in nobody's way
ok "user=nobody: another process of nobody cannot unlink the cache's pin" nobody_cannot_rm "$tmp/bpffs/bpfdns/cache"
ok "user=nobody: ... nor the link's" nobody_cannot_rm "$tmp/bpffs/bpfdns/xdp_link_lo"
stop_daemon
check_not "user=nobody: SIGTERM still detached XDP" "ip link show lo" "xdp"
daemon nobody-again "${common[@]}" --server=127.0.0.4#5353 || e2e_exit
check "user=nobody: the next daemon attaches XDP again" "ip link show lo" "xdp"
stop_daemon
ok "user=nobody: and as root removes the link's pin on SIGTERM" test ! -e "$tmp/bpffs/bpfdns/xdp_link_lo"
daemon nobody-tc "${common[@]}" --server=127.0.0.4#5353 --user=nobody --attach=tc || e2e_exit
check "user=nobody, tc: a miss is answered" "$dig nobody-tc.example.test A +short" "192.0.2.4"
stop_daemon
check_not "user=nobody, tc: SIGTERM still detached the TC filter" "tc filter show dev lo ingress" "bpf"

# 8. strict-order: the next upstream only after the first fails
daemon strict "${common[@]}" --strict-order --server=127.0.0.3#5353 --server=127.0.0.4#5353 || e2e_exit
check "strict-order: a dropping first upstream, then the second answers" "$dig strict.example.test A +short" \
	"192.0.2.4"
ok "strict-order: the dropping one was asked first" test "$(upstream_count 3 strict.example.test)" = 1
stop_daemon
# dropping, then closed (port unreachable), then live: the closed one's
# failure moves on at once, though the dropping one is still being heard
daemon strict3 "${common[@]}" --strict-order --server=127.0.0.3#5353 --server=127.0.0.31#5353 \
	--server=127.0.0.4#5353 || e2e_exit
check "strict-order: dropping, closed, live: the live one answers" "$dig strict3.example.test A +short" "192.0.2.4"
stop_daemon

# 8b. hedged: one upstream at a time when all are healthy; past dark ones fast
upstream 14
upstream 15
daemon hedged "${common[@]}" --hedged --server=127.0.0.14#5353 --server=127.0.0.15#5353 || e2e_exit
for i in $(seq 40); do $dig "hh$i.example.test" A +short >/dev/null; done
sent=$(cat "$tmp/up14.log" "$tmp/up15.log" | grep -c " hh[0-9]*\.example")
ok "hedged: healthy upstreams, at most 1.15 upstream queries per miss ($sent for 40)" test "$sent" -le 46
stop_daemon
daemon hedged-dark "${common[@]}" --hedged --server=127.0.0.3#5353 --server=127.0.0.9#5353 \
	--server=127.0.0.4#5353 || e2e_exit
ok "hedged [dropping, closed, live]: 20 lookups, each well under the timeout" all_fast hmix 20 200
echo "   ($(cat "$tmp/worst"))"
ok "hedged: the dropping upstream sinks in the order (asked $(upstream_count 3 'hmix[0-9]*\.example\.test' || true) times)" \
	test "$(grep -c " hmix[0-9]*\.example" "$tmp/up3.log")" -le 3
check "hedged: SIGUSR1 shows the RTTs and hedges" "kill -USR1 $daemon; sleep 0.3; cat $dlog" "hedged: "
stop_daemon

# 8c. hedged: a dark upstream is probed in the background, marked down, and
# comes back when it answers again
daemon hedged-probe "${common[@]}" --hedged --server=127.0.0.14#5353 --server=127.0.0.15#5353 || e2e_exit
for i in 1 2 3; do $dig "hp$i.example.test" A +short >/dev/null; done
kill -USR1 "$up14" # dark
for i in 4 5 6 7 8; do $dig "hp$i.example.test" A +short >/dev/null; done
ok "hedged: lookups go on while one upstream is dark" test "$($dig hp9.example.test A +short)" = "192.0.2.15"
for _ in $(seq 120); do grep -q "127.0.0.14#5353 is down" "$dlog" && break; sleep 0.1; done
check "hedged: the dark upstream is marked down by background probes" "cat $dlog" "127.0.0.14#5353 is down"
kill -USR1 "$up14" # back
for _ in $(seq 30); do grep -q "127.0.0.14#5353 is back" "$dlog" && break; sleep 0.1; done
check "hedged: a probe brings it back" "cat $dlog" "127.0.0.14#5353 is back"
stop_daemon

# 9. the resolv-file is watched
echo "nameserver 127.0.0.4#5353" >"$tmp/resolv"
daemon watched --resolv-file="$tmp/resolv" --query-timeout=1000 --log-queries || e2e_exit
check "resolv-file: its upstream answers" "$dig w1.example.test A +short" "192.0.2.4"
echo "nameserver 127.0.0.6#5353" >"$tmp/resolv.new"
mv "$tmp/resolv.new" "$tmp/resolv"
sleep 0.3
check "resolv-file: replaced by rename, re-read" "$dig w2.example.test A +short" "192.0.2.6"
echo "nameserver 127.0.0.4#5353" >"$tmp/resolv"
sleep 0.3
check "resolv-file: rewritten in place, re-read" "$dig w3.example.test A +short" "192.0.2.4"
check "resolv-file: the cache survived the re-reads" "$dig w1.example.test A +short" "192.0.2.4"
ok "resolv-file: w1 asked upstream once" test "$(upstream_count 4 w1.example.test)" = 1
printf 'nameserver 127.0.0.1\nnameserver 127.0.0.6#5353\n' >"$tmp/resolv.new"
mv "$tmp/resolv.new" "$tmp/resolv"
sleep 0.3
check "resolv-file: our own address is skipped" "cat $dlog" "upstreams now: 127.0.0.6#5353"
rm "$tmp/resolv"
sleep 0.3
check "resolv-file: removed, the upstreams stay" "$dig w4.example.test A +short" "192.0.2.6"
echo "nameserver 127.0.0.4#5353" >"$tmp/resolv"
sleep 0.3
kill -HUP "$daemon"
sleep 0.3
check "SIGHUP: re-reads the upstreams" "cat $dlog" "SIGHUP: re-reading the upstreams"
stop_daemon
e2e_exit
