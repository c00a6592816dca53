#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# prefetch_e2e.sh - popular names never miss: a zone with a 2 s TTL behind
# an upstream 50 ms away, one name asked every 100 ms for 20 s. With
# prefetch (the default) no query after the first waits for the upstream,
# which sees about one query per TTL; with no-prefetch some do. Then
# serve-stale (use-stale-cache): with the upstream dark, expired names are
# still answered (TTL 30), at the deadline and then at once. Re-executes
# itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "prefetch and serve-stale" dig jq

upstream 2 --ttl=2 --delay=50
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
ask() { # NAME SECONDS: ask every 100 ms; query times (ms), one a line
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		dig +tries=1 +time=1 @127.0.0.1 "$1" A | awk '/Query time/ { print $4 }'
		sleep 0.1
	done
}

daemon prefetch --no-resolv --server=127.0.0.2#5353 || e2e_exit
ask hot.example.test 20 >"$tmp/times"
n=$(wc -l <"$tmp/times")
slow=$(tail -n +2 "$tmp/times" | awk '$1 >= 40' | wc -l)
ups=$(upstream_count 2 hot.example.test)
ok "prefetch: $n lookups in 20 s, none after the first waited for the upstream ($slow did)" \
	test "$n" -ge 100 -a "$slow" = 0
ok "prefetch: the upstream saw about one query per TTL ($ups in 20 s at TTL 2)" test "$ups" -ge 8 -a "$ups" -le 13
ok "prefetch: the kernel asked for the refreshes (ring buffer)" \
	test "$($ctl --json stats | jq .bpfdns_kernel_prefetch_requests_total)" -ge 7
check "prefetch: the kernel answered the rest" "$ctl stats" "kernel hits"
stop_daemon

daemon noprefetch --no-resolv --server=127.0.0.2#5353 --no-prefetch || e2e_exit
ask cold.example.test 8 >"$tmp/times-off"
slow=$(tail -n +2 "$tmp/times-off" | awk '$1 >= 40' | wc -l)
ok "no-prefetch: expired names wait for the upstream again ($slow did in 8 s)" test "$slow" -ge 2
stop_daemon

# serve-stale: prime, darken the upstream, let the entry expire
daemon stale --no-resolv --server=127.0.0.2#5353 --use-stale-cache=3600 --query-timeout=500 || e2e_exit
dig="dig +tries=1 +time=3 @127.0.0.1"
check "stale: primed" "$dig old.example.test A +short" "192.0.2.2"
kill -USR1 "$up2" # dark: drops everything
sleep 2.5
check "stale: expired, upstream dark: the stale answer at the deadline" "$dig old.example.test A +noall +answer" \
	"30	IN	A	192.0.2.2"
sleep 4 # probes find the upstream down
t=$($dig old.example.test A | awk '/Query time/ { print $4 }')
ok "stale: once it is known down, at once (${t} ms)" test "${t:-999}" -lt 100
check "stale: still NOERROR with the record" "$dig old.example.test A" "status: NOERROR"
check "stale: a name never cached still fails" "$dig new.example.test A" "status: SERVFAIL"
ok "stale: counted (bpfdns_stale_answers_total)" test "$($ctl --json stats | jq .bpfdns_stale_answers_total)" -ge 2
kill -USR1 "$up2" # back
sleep 1.5
check "stale: the upstream back, fresh answers again" "$dig old.example.test A +noall +answer" "192.0.2.2"
stop_daemon

daemon nostale --no-resolv --server=127.0.0.2#5353 --query-timeout=500 || e2e_exit
check "no stale: primed" "$dig old2.example.test A +short" "192.0.2.2"
kill -USR1 "$up2"
sleep 2.5
check "no stale: without use-stale-cache an expired name is SERVFAIL" "$dig old2.example.test A" "status: SERVFAIL"
kill -USR1 "$up2"
stop_daemon
e2e_exit
