#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# spoof_e2e.sh - forged upstream replies while races are in flight. The
# forger (tests/upstream/forge) watches lo for each query bpfdnsd sends
# upstream and answers it first with A 6.6.6.6: with the query's own ID
# from a wrong port or a wrong address, then from the upstream's address
# and port with guessed IDs. No forged answer may reach a client or the
# cache. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd against forged upstream replies" dig

upstream 2 --delay=20
daemon spoof --no-resolv --server=127.0.0.2#5353 --query-timeout=1500 || e2e_exit

forge() { # MODE: start the forger; its PID in $forger
	"$out/tests/upstream/forge" 127.0.0.2#5353 --mode="$1" >"$tmp/forge-$1.out" 2>"$tmp/forge-$1.err" &
	forger=$!
	pids+=($forger)
	for _ in $(seq 50); do grep -q ready "$tmp/forge-$1.err" && return 0; sleep 0.05; done
	echo "FAIL spoof: the forger did not start"; cat "$tmp/forge-$1.err"; exit 1
}
lookups() { # PREFIX: 4 clients at once, 40 names each; answers in $tmp/PREFIX.out
	local c clients=()
	for c in 1 2 3 4; do
		seq 40 | sed "s/.*/$1-$c-&.example.test A/" >"$tmp/$1-$c.names"
		# a client retries once, as resolvers do: one UDP answer lost on a busy machine is not a forgery
		dig +tries=2 +time=2 @127.0.0.1 -f "$tmp/$1-$c.names" +noall +answer >"$tmp/$1-$c.out" 2>&1 &
		clients+=($!)
	done
	wait "${clients[@]}"
	cat "$tmp/$1"-?.out >"$tmp/$1.out"
}
unwanted() { # the daemon's count of unwanted upstream replies (SIGUSR1)
	kill -USR1 "$daemon"
	sleep 0.3
	grep -o "unwanted replies [0-9]*" "$dlog" | tail -n 1 | awk '{ print $3 }'
}

for mode in wrong-port wrong-addr; do
	forge "$mode"
	lookups "$mode"
	kill "$forger"; wait "$forger"
	read -r _ n _ _ q _ <"$tmp/forge-$mode.out"
	ok "$mode: the forger answered every query first ($n replies to $q queries)" test "$n" = "$q" -a "$q" -ge 160
	ok "$mode: every client got the upstream's answer ($(grep -c 192.0.2.2 "$tmp/$mode.out") of 160)" \
		test "$(grep -c 192.0.2.2 "$tmp/$mode.out")" = 160
	check_not "$mode: no client saw the forged address" "cat $tmp/$mode.out" "6.6.6.6"
	ok "$mode: the kernel kept them from the daemon's connected sockets (0 unwanted)" test "$(unwanted)" = 0
done

forge guess
lookups guess
kill "$forger"; wait "$forger"
check "guess: the forger sent its guesses" "cat $tmp/forge-guess.out" "forged "
ok "guess: every client got the upstream's answer ($(grep -c 192.0.2.2 "$tmp/guess.out") of 160)" \
	test "$(grep -c 192.0.2.2 "$tmp/guess.out")" = 160
check_not "guess: no client saw the forged address" "cat $tmp/guess.out" "6.6.6.6"
n=$(unwanted)
ok "guess: the daemon saw the unwanted replies (${n:-0})" test "${n:-0}" -ge 1
check "guess: and moved the upstream to TCP, saying so" "cat $dlog" "asking it over TCP only for 60 s"
ok "guess: later queries went over TCP ($(grep -c '^tcp ' "$tmp/up2.log") of them)" \
	test "$(grep -c '^tcp ' "$tmp/up2.log")" -ge 100

# the cache: every name again, answered by the kernel with the daemon stopped
kill -STOP "$daemon"
for p in wrong-port wrong-addr guess; do
	cat "$tmp/$p"-?.names
done >"$tmp/all.names"
dig +tries=1 +time=1 @127.0.0.1 -f "$tmp/all.names" +noall +answer >"$tmp/cached.out" 2>&1
kill -CONT "$daemon"
ok "cache: all 480 names answered from the kernel ($(grep -c 192.0.2.2 "$tmp/cached.out"))" \
	test "$(grep -c 192.0.2.2 "$tmp/cached.out")" = 480
check_not "cache: no forged record in it" "cat $tmp/cached.out" "6.6.6.6"
stop_daemon
e2e_exit
