#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# tcp_e2e.sh - TCP clients as hostile or unusual peers are (issue 13): a
# client that floods without reading and resets, then the next client on
# the reused memory (glibc fills freed memory: MALLOC_PERTURB_); pipelined
# misses beyond every per-client and per-query limit; half-close; clients
# that trickle bytes or sit idle in every slot; refused sources. Uses
# tests/upstream/tcpclient. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd TCP clients" dig

tcp="$out/tests/upstream/tcpclient 127.0.0.1#53"
dig="dig +tries=1 +time=3 @127.0.0.1"
upstream 2 --delay=100
export MALLOC_PERTURB_=165
daemon tcp --no-resolv --server=127.0.0.2#5353 --access-control=127.0.0.66/32,refuse || e2e_exit

# 1. flood, never read, reset; then the next client gets its own answers
for i in 1 2 3; do
	$tcp flood-reset 3000 "huge$i-%d.example.test." >/dev/null
	check "tcp: after a client flooded and reset ($i), the next gets its own answers" \
		"$tcp pipeline 10 after$i-%d.example.test." "answers=10 of 10 tc=0 servfail=0 ids=ok"
done
ok "tcp: the daemon is alive after floods and resets" kill -0 "$daemon"
stop_daemon

# each part on a daemon of its own, so that one failure does not hide the next
daemon tcp2 --no-resolv --server=127.0.0.2#5353 || e2e_exit

# 2. back-pressure, not drops: past 32 in flight per client...
check "tcp: 100 pipelined misses on one connection get 100 answers" \
	"$tcp pipeline 100 pipe-%d.example.test." "answers=100 of 100 tc=0 servfail=0 ids=ok"
# ... past 64 clients sharing one miss
check "tcp: 120 queries for one name over 4 connections get 120 answers" \
	"$tcp --conns=4 pipeline 30 shared.example.test." "answers=120 of 120 tc=0 servfail=0 ids=ok"

stop_daemon

# 19. half-close: the answer to a miss is still owed
daemon tcp3 --no-resolv --server=127.0.0.2#5353 --access-control=127.0.0.66/32,refuse || e2e_exit
check "tcp: a client that half-closes after its query gets the answer" \
	"$tcp halfclose half.example.test." "rcode=0 an=1"
check "tcp: and one asking a cached name" "$tcp halfclose half.example.test." "rcode=0 an=1"

# 3. 300 connections trickling a byte a second from one source: that
# source gets 64 slots, each closed when its message is 5 s overdue, and
# everyone else is answered meanwhile
$tcp --from=127.0.0.5 --conns=300 --seconds=8 trickle >"$tmp/trickle.out" &
trickler=$!
pids+=($trickler)
# meanwhile, a client that asks once and then sits idle for 11 s
$tcp --from=127.0.0.7 --seconds=11 idle idle-alone.example.test. >"$tmp/idle-alone.out" &
idler=$!
pids+=($idler)
sleep 2
check "tcp: while one source trickles on 300 connections, another is answered" \
	"$dig +tcp trickled.example.test A +short" "192.0.2.2"
wait "$trickler"
check "tcp: every trickling connection was closed by the daemon" "cat $tmp/trickle.out" "closed=300 of 300"
wait "$idler"
check "tcp: a connection idle for 10 s is closed" "cat $tmp/idle-alone.out" "answered=1 closed=1 of 1"

# every slot idle (4 sources x 64): a new client takes the oldest idle one's
for s in 11 12 13 14; do
	$tcp --from=127.0.0.$s --conns=64 --seconds=4 idle "idle.example.test." >"$tmp/idle$s.out" &
	pids+=($!)
done
sleep 2.5
check "tcp: with 256 idle connections, a new client is answered" \
	"$dig -b 127.0.0.20 +tcp full.example.test A +short" "192.0.2.2"
wait "${pids[@]: -4}" 2>/dev/null
closed=$(cat "$tmp"/idle1?.out | sed -n 's/.*closed=\([0-9]*\).*/\1/p' | paste -sd+ | bc)
ok "tcp: ... and an idle one was closed for it (closed: ${closed:-none})" test "${closed:-0}" -ge 1

# refused sources have slots of their own
$tcp --from=127.0.0.66 --conns=40 --seconds=4 trickle >/dev/null &
pids+=($!)
sleep 1
check "tcp: a refused source trickling on 40 connections takes no allowed client's slot" \
	"$tcp --conns=4 pipeline 20 allowed-%d.example.test." "answers=80 of 80 tc=0 servfail=0 ids=ok"
check "tcp: and the refused source still gets REFUSED" "$dig -b 127.0.0.66 +tcp r.example.test A" "status: REFUSED"
ok "tcp: the daemon is alive at the end" kill -0 "$daemon"
stop_daemon

# dns-forward-max: TCP queries wait for room instead of being dropped
daemon tcp-fwd --no-resolv --server=127.0.0.2#5353 --dns-forward-max=10 || e2e_exit
check "tcp: 100 pipelined misses with dns-forward-max=10 get 100 answers" \
	"$tcp pipeline 100 fwd-%d.example.test." "answers=100 of 100 tc=0 servfail=0 ids=ok"
stop_daemon

# every query of a pipeline answered when the answers are timeouts: the
# connection is never taken for idle while queries of it wait (nor by a
# clock read a millisecond apart)
upstream 3 --mode=drop
daemon tcp-timeouts --no-resolv --server=127.0.0.3#5353 --query-timeout=300 || e2e_exit
for i in 1 2 3; do
	check "tcp: 100 pipelined misses to a dark upstream get 100 SERVFAILs ($i)" \
		"$tcp --seconds=20 pipeline 100 dark$i-%d.example.test." "answers=100 of 100 tc=0 servfail=100 ids=ok"
done
stop_daemon

# dns-forward-max: room that frees goes to the connection waiting longest,
# so none starves past the idle timeout
daemon tcp-fair --no-resolv --server=127.0.0.2#5353 --dns-forward-max=2 || e2e_exit
check "tcp: 5 connections x 60 misses, 2 in flight at once (15 s): all 300 answered" \
	"$tcp --conns=5 --seconds=40 pipeline 60 fair-%d.example.test." "answers=300 of 300 tc=0 servfail=0 ids=ok"
stop_daemon
e2e_exit
