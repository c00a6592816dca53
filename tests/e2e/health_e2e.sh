#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# health_e2e.sh - what counts against an upstream (issue 13): an upstream
# slower than query-timeout still resolves the name (the client gets
# SERVFAIL in time, the late answer is cached for its retry, and the
# upstream is not marked down); a correct SERVFAIL or REFUSED is worth
# asking another upstream for, but not a failure, unless every name fails.
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd upstream health" dig

dig="dig +tries=1 +time=6 @127.0.0.1"
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
state() { # UPSTREAM: its state as bpfdnsctl upstreams shows it
	$ctl upstreams | awk -v u="$1" '$1 == u { print $2 }'
}

# 20. an upstream that needs 2.5 s, query-timeout 2 s (all-servers: no
# background probes, which judge timeliness against query-timeout)
upstream 2 --delay=2500
daemon slow --no-resolv --server=127.0.0.2#5353 --query-timeout=2000 --all-servers || e2e_exit
for n in 1 2 3; do
	check "slow upstream ($n): SERVFAIL at query-timeout" "$dig slow$n.example.test A" "status: SERVFAIL"
	sleep 1 # the answer comes 2.5 s after the query
	check "slow upstream ($n): the late answer was cached for the retry" "$dig slow$n.example.test A +short" \
		"192.0.2.2"
	ok "slow upstream ($n): asked once" test "$(upstream_count 2 slow$n.example.test)" = 1
done
ok "slow upstream: its late answers are no failures (state $(state 127.0.0.2#5353))" \
	test "$(state 127.0.0.2#5353)" = up
stop_daemon

# 21. SERVFAIL and REFUSED from a reachable upstream beside a good one
for mode in servfail refused; do
	upstream 3 --mode=$mode
	upstream 4 --delay=5
	daemon "$mode" --no-resolv --server=127.0.0.3#5353 --server=127.0.0.4#5353 || e2e_exit
	for n in 1 2 3 4 5 6; do
		$dig "$mode$n.example.test" A +short >"$tmp/$mode$n.out"
	done
	ok "$mode: every name answered by the other upstream" test "$(cat "$tmp/$mode"?.out | grep -c 192.0.2.4)" = 6
	ok "$mode: the upstream that said $mode is still up (state $(state 127.0.0.3#5353))" \
		test "$(state 127.0.0.3#5353)" = up
	stop_daemon
	kill "$up3" "$up4"
	wait "$up3" "$up4" 2>/dev/null
done
# ... unless every name fails: then it is failing
upstream 3 --mode=servfail
daemon servfail-all --no-resolv --server=127.0.0.3#5353 || e2e_exit
for n in $(seq 12); do $dig "all$n.example.test" A >/dev/null; done
ok "servfail on every name: counted as failing after 10 in a row (state $(state 127.0.0.3#5353))" \
	test "$(state 127.0.0.3#5353)" != up
stop_daemon
e2e_exit
