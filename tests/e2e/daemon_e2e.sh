#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# daemon_e2e.sh - bpfdnsd in a private network namespace: a miss goes to the
# upstream (dnsmasq serving a test zone), the repeat is answered by the
# kernel, even with the daemon stopped (SIGSTOP); a dead upstream beside a
# live one costs nothing. Re-executes itself under `unshare -n -m`.
set -u
name="bpfdnsd end to end"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP $name: needs root; CI runs it as root"; exit 0; fi
for c in dig dnsmasq; do
	command -v $c >/dev/null || { echo "SKIP $name: $c missing (make test-deps)"; exit 0; }
done
if [ -z "${BPFDNS_TEST_NETNS:-}" ]; then
	BPFDNS_TEST_NETNS=1 exec unshare -n -m -- "$0" "$@"
fi
out=${OUT:-build}
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
ip link set lo up

dnsmasq --no-daemon --no-resolv --no-hosts --user=root --pid-file= --port=5353 \
	--listen-address=127.0.0.2 --bind-interfaces --local-ttl=300 \
	--host-record=www.example.test,192.0.2.1 --address=/nope.example.test/ >"$tmp/upstream.log" 2>&1 &
pids+=($!)
# upstreams: a closed port first, then the live one
"$out/bpfdnsd" -k --no-resolv --server=127.0.0.3#5353 --server=127.0.0.2#5353 --log-queries \
	>"$tmp/bpfdnsd.log" 2>&1 &
daemon=$!
pids+=($daemon)
for _ in $(seq 50); do grep -q "bpfdnsd ready" "$tmp/bpfdnsd.log" && break; sleep 0.1; done

fails=0
check() { # name, command, needle
	local o
	o=$(eval "$2" 2>&1)
	if grep -qF -- "$3" <<<"$o"; then echo "PASS $1"; else
		echo "FAIL $1: no \"$3\" in:"; echo "$o"; echo "--- bpfdnsd log:"; cat "$tmp/bpfdnsd.log"
		fails=$((fails + 1))
	fi
}
dig="dig +tries=1 +time=2 @127.0.0.1"
check "daemon: a miss is answered through the live upstream" "$dig www.example.test A" "192.0.2.1"
check "daemon: the log names the winning upstream" "cat $tmp/bpfdnsd.log" "127.0.0.2#5353"
check "daemon: an unknown name gets the upstream's NXDOMAIN" "$dig nope.example.test A" "status: NXDOMAIN"
kill -STOP "$daemon"
check "daemon: stopped, the repeat is answered by the kernel" "$dig www.example.test A" "192.0.2.1"
check "daemon: stopped, a mixed-case repeat keeps its case" "$dig WWW.Example.TEST A" "WWW.Example.TEST."
kill -CONT "$daemon"
check "daemon: a REFUSED upstream answer reaches the client" "$dig other.example.test A" "status: REFUSED"
kill "$daemon"; wait "$daemon"
check "daemon: SIGTERM stops it cleanly" "cat $tmp/bpfdnsd.log" "stopping"
exit $((fails > 0))
