#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# chaos_e2e.sh - faults one after another (tools/bench/chaos: loss, dark,
# closed port, loss on all, flapping, SERVFAIL, 2 s late) on three
# upstreams, one of them 30 ms away, while one lookup after another asks
# new names: every lookup is answered, none SERVFAIL, in each upstream mode
# that races or hedges; and a lookup whose every query is lost is answered
# by asking once more. No timing verdicts (tools/bench/bench measures).
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "chaos" nft

seconds=${CHAOS_SECONDS:-10}
export CHAOS_PERIOD_MS=1250 CHAOS_FAULT_MS=1000
for id in 2 3 4; do echo ok >"$tmp/fault$id"; done
upstream 2 --fault="$tmp/fault2"
upstream 3 --fault="$tmp/fault3"
upstream 4 --fault="$tmp/fault4" --delay=30
ups=("127.0.0.2#5353=$tmp/fault2" "127.0.0.3#5353=$tmp/fault3" "127.0.0.4#5353=$tmp/fault4")

run() { # MODE SEED
	local line lookups=$((seconds * 1000 / 3))
	daemon "chaos-$1" --no-resolv --server=127.0.0.2#5353 --server=127.0.0.3#5353 --server=127.0.0.4#5353 \
		"--$1" || return
	for i in $(seq "$lookups"); do echo "n$i.$1.chaos.test A"; done >"$tmp/names.txt"
	"$(dirname "$0")/../../tools/bench/chaos" "$2" "$seconds" "$tmp/faults-$1.log" "${ups[@]}" &
	chaos=$!
	pids+=("$chaos")
	line=$("$out/bench/dnslat" -s 127.0.0.1 -d "$tmp/names.txt" -n "$lookups" -t 2000 -i 2000)
	kill "$chaos" 2>/dev/null
	wait "$chaos" 2>/dev/null
	echo "# $1: $line; faults: $(awk '{ print $3 }' "$tmp/faults-$1.log" | sort | uniq -c | tr -s ' \n' ' ')"
	ok "$1: faults were made ($(wc -l <"$tmp/faults-$1.log"))" test "$(wc -l <"$tmp/faults-$1.log")" -ge 4
	check "$1: every lookup answered, none SERVFAIL" "echo $line" "failed=0 lost=0"
	stop_daemon
}
run hedged 1
run all-servers 1

# every upstream's query lost on the way (one miss in 8000 with 5 % lost to
# each of three): the best is asked once more, past hedge-max (here 1 s,
# so the faults are over by then on any machine) and twice the slowest's p99
resend() { # MODE MOST-QUERIES
	local q n
	daemon "resend-$1" --no-resolv --server=127.0.0.2#5353 --server=127.0.0.3#5353 \
		--server=127.0.0.4#5353 --hedge-max=1000 --query-timeout=5000 "--$1" || return
	dig +tries=1 +time=1 @127.0.0.1 "warm.$1.resend.test" A >/dev/null
	for id in 2 3 4; do echo drop >"$tmp/fault$id"; done
	dig +tries=1 +time=8 @127.0.0.1 "lost.$1.resend.test" A >"$tmp/resend-$1.out" 2>&1 &
	q=$!
	for _ in $(seq 100); do
		[ "$(cat "$tmp"/up[234].log | grep -c "lost.$1.resend")" -ge 3 ] && break
		sleep 0.02
	done
	for id in 2 3 4; do echo ok >"$tmp/fault$id"; done
	wait "$q"
	check "$1: a lookup whose every query was lost is answered" "cat $tmp/resend-$1.out" "status: NOERROR"
	# hedged asks the best again before the one 30 ms away once probes
	# have told it that one is far (5 then), and once more at the end
	n=$(cat "$tmp"/up[234].log | grep -c "lost.$1.resend")
	ok "$1: ... by asking once more ($n queries)" test "$n" -ge 4 -a "$n" -le "$2"
	check "$1: ... counted" "$out/bpfdnsctl --control-socket=$tmp/control.sock --json stats" \
		'"bpfdns_resends_total": 1'
	stop_daemon
}
resend hedged 5
resend all-servers 4
e2e_exit
