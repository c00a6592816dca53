# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# tests/lib/e2e.sh - sourced by the shell end-to-end tests: re-exec under
# `unshare -n -m` (a private lo and mounts), start the test upstream and
# bpfdnsd, check command output, and tear everything down on exit.
#
#   e2e_init NAME TOOL...   skip unless root and the tools exist; re-exec
#   upstream ID ARGS...     start build/tests/upstream/testdns on 127.0.0.ID#5353
#   client_ns NS HOST A/LEN [A6/LEN]  a client namespace behind a veth (removed on exit)
#   dns_query NAME FILE     an A query for NAME (a.b.c, no trailing dot) into FILE
#   forge NS SERVER SRC HOSTIF FILE  FILE's query from NS's eth0 as SRC: rcode=N or none
#   daemon NAME ARGS...     start bpfdnsd (-k, pinned under $tmp); waits until ready
#                           (daemon_out=, daemon_log=: its output and log elsewhere)
#   kernel_hits             the fast path's hits so far (every hook, every CPU)
#   check NAME CMD NEEDLE   PASS when CMD's output contains NEEDLE
#   check_lines NAME CMD LINES  PASS when CMD's output has LINES (consecutive, whole)
#   check_not NAME CMD NEEDLE
#   ok NAME COND...         PASS when the command COND succeeds
#   peer_dnsmasq ARGS...    the real dnsmasq on 127.0.0.2#53, for comparisons (stop_peer)
#   compare_peer WHAT Q...  bpfdnsd's answer to Q against dnsmasq's (into $differ)

out=${OUT:-build}
fails=0
pids=()
netns=()

e2e_init() {
	e2e_name=$1
	shift
	if [ "$(id -u)" -ne 0 ]; then echo "SKIP $e2e_name: needs root; CI runs it as root"; exit 0; fi
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "SKIP $e2e_name: $c missing (make test-deps)"; exit 0; }
	done
	if [ -z "${BPFDNS_TEST_NETNS:-}" ]; then
		BPFDNS_TEST_NETNS=1 exec unshare -n -m -- "$0"
	fi
	tmp=$(mktemp -d)
	trap e2e_cleanup EXIT
	ip link set lo up
	# private mounts: nothing here reaches the host's
	mount --make-rprivate /
}

e2e_cleanup() {
	local p n
	for n in "${netns[@]}"; do ip netns del "$n" 2>/dev/null; done
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	grep -qs " $tmp/" /proc/mounts && awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts |
		sort -r | xargs -r umount
	rm -rf "$tmp"
}

upstream() { # ID ARGS...: testdns on 127.0.0.ID#5353, query log in $tmp/up$ID.log
	local id=$1
	shift
	: >"$tmp/up$id.log"
	"$out/tests/upstream/testdns" --listen="127.0.0.$id#5353" --id="$id" --log="$tmp/up$id.log" "$@" \
		2>>"$tmp/up$id.err" &
	pids+=($!)
	eval "up$id=$!"
	for _ in $(seq 50); do grep -q ready "$tmp/up$id.err" && return 0; sleep 0.05; done
	echo "FAIL $e2e_name: test upstream $id did not start"; cat "$tmp/up$id.err"; exit 1
}

# a client in network namespace NS, its eth0 the peer of HOST (a veth,
# up), with address A/LEN (and A6/LEN); NS is deleted on exit
client_ns() { # NS HOST A/LEN [A6/LEN]
	ip netns add "$1"
	netns+=("$1")
	# its link-local address usable at once (no DAD wait)
	ip netns exec "$1" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad'
	ip link add "$2" type veth peer name bpfdns-tmp
	ip link set bpfdns-tmp netns "$1"
	ip -n "$1" link set bpfdns-tmp name eth0
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3" dev eth0
	[ $# -lt 4 ] || ip -n "$1" addr add "$4" dev eth0 nodad
	ip -n "$1" link set eth0 up
	ip link set "$2" up
}

# a query's wire form: ID 0x1234, RD, one question NAME A IN
dns_query() { # NAME FILE
	local l
	{
		printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'
		for l in ${1//./ }; do printf "\\x$(printf %02x ${#l})%s" "$l"; done
		printf '\x00\x00\x01\x00\x01'
	} >"$2"
}

# an on-link attacker: FILE's query as a whole frame out of NS's eth0 to
# HOSTIF's MAC, from SRC; prints what came back (rcode=N, or none)
forge() { # NS SERVER SRC HOSTIF FILE
	ip netns exec "$1" "$out/tests/upstream/sendraw" "$2#53" --timeout=1000 \
		--forge="$3,eth0,$(ip -br link show dev "$4" | awk '{ print $3 }')" "$5" | awk '{ print $2 }'
}

# bpfdnsd's output goes to $tmp/LOGNAME.log, or to $daemon_out when set (a
# FIFO); its log ($dlog) is that file, or $daemon_log (log-facility=FILE)
daemon() { # LOGNAME ARGS...: bpfdnsd in the foreground; its PID in $daemon
	local log=$tmp/$1.log
	shift
	dlog=${daemon_log:-$log}
	"$out/bpfdnsd" -k --pin-path="$tmp/bpffs/bpfdns" --control-socket="$tmp/control.sock" "$@" \
		>"${daemon_out:-$log}" 2>&1 &
	daemon=$!
	pids+=($daemon)
	for _ in $(seq 100); do
		grep -qs "bpfdnsd ready" "$dlog" && return 0
		kill -0 "$daemon" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL $e2e_name: bpfdnsd did not start:"; cat "$dlog"; fails=$((fails + 1))
	return 1
}

stop_daemon() {
	kill "$daemon" 2>/dev/null
	wait "$daemon" 2>/dev/null
}

kernel_hits() {
	bpftool map dump pinned "$tmp/bpffs/bpfdns/counters" |
		awk '/"hit":/ { gsub(/[^0-9]/, "", $2); s += $2 } END { print s + 0 }'
}

report_fail() {
	echo "FAIL $1: $2"
	echo "$3"
	[ -n "${dlog:-}" ] && { echo "--- bpfdnsd log:"; tail -n 40 "$dlog"; }
	fails=$((fails + 1))
}

check() { # NAME CMD NEEDLE
	local o
	o=$(eval "$2" 2>&1)
	if grep -qF -- "$3" <<<"$o"; then echo "PASS $1"; else report_fail "$1" "no \"$3\" in:" "$o"; fi
}

# grep -F takes a needle's lines as separate patterns: lines in order need this
check_lines() { # NAME CMD LINES: PASS when CMD's output has LINES, consecutive and whole
	local o
	o=$'\n'$(eval "$2" 2>&1)$'\n'
	if [[ $o == *$'\n'"$3"$'\n'* ]]; then echo "PASS $1"; else report_fail "$1" "no lines \"$3\" in:" "$o"; fi
}

check_not() { # NAME CMD NEEDLE
	local o
	o=$(eval "$2" 2>&1)
	if grep -qF -- "$3" <<<"$o"; then report_fail "$1" "unexpected \"$3\" in:" "$o"; else echo "PASS $1"; fi
}

ok() { # NAME COND...
	local name=$1
	shift
	if "$@"; then echo "PASS $name"; else report_fail "$name" "false: $*" ""; fi
}

# how many queries for NAME upstream ID received
upstream_count() {
	grep -ic " $2\. " "$tmp/up$1.log"
}

# the real dnsmasq on 127.0.0.2#53 with ARGS; waits until it answers
peer_dnsmasq() {
	dnsmasq -k --listen-address=127.0.0.2 --bind-interfaces --port=53 --pid-file="$tmp/dnsmasq.pid" \
		--log-facility="$tmp/dnsmasq.log" "$@" &
	peer=$!
	pids+=($peer)
	for _ in $(seq 50); do
		dig +tries=1 +time=1 @127.0.0.2 CH TXT version.bind >/dev/null && return 0
		sleep 0.1
	done
	echo "FAIL $e2e_name: dnsmasq did not start"; cat "$tmp/dnsmasq.log"; fails=$((fails + 1))
	return 1
}

stop_peer() {
	kill "$peer" 2>/dev/null
	wait "$peer" 2>/dev/null
}

# bpfdnsd's answer (127.0.0.1) to dig's QUERY against dnsmasq's (127.0.0.2):
# WHAT=all: status, flags and records; status: the status only (forwarded
# answers: dnsmasq passes the upstream's AA on, a cache does not). Counts
# in $compared; what differs is added to $differ.
differ="" compared=0
compare_peer() { # WHAT QUERY...
	local what=$1 a b
	shift
	a=$(dig +tries=1 +time=2 @127.0.0.1 "$@" | grep -E "status:|flags:|IN" | sed 's/id: [0-9]*//')
	b=$(dig +tries=1 +time=2 @127.0.0.2 "$@" | grep -E "status:|flags:|IN" | sed 's/id: [0-9]*//')
	if [ "$what" = status ]; then
		a=$(grep -o "status: [A-Z]*" <<<"$a")
		b=$(grep -o "status: [A-Z]*" <<<"$b")
	fi
	compared=$((compared + 1))
	[ -n "$a" ] && [ "$a" = "$b" ] || differ+="$*: bpfdns [$a] dnsmasq [$b]"$'\n'
}

e2e_exit() {
	exit $((fails > 0))
}
