#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# restart_e2e.sh - the fast path outlives the daemon: after kill -9 the
# kernel keeps answering cached names (pinned link and maps); a new daemon
# adopts the pinned program and maps (warm cache, one program attached); a
# clean stop detaches unless keep-fast-path; maps of another layout are
# replaced; TC is taken over without stacking filters.
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd restarts" dig bpftool

upstream 2 --ttl=300
dig="dig +tries=1 +time=2 @127.0.0.1"
pin=$tmp/bpffs/bpfdns
common=(--no-resolv --server=127.0.0.2#5353 --log-queries)
xdp_progs() { ip -d link show lo | grep -c "prog/xdp"; }

daemon first "${common[@]}" || e2e_exit
check "warm: a miss fills the cache" "$dig crash.example.test A +short" "192.0.2.2"
check "pin: the XDP link is pinned" "ls $pin" "xdp_link_lo"
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
kill "$up2"
wait "$up2" 2>/dev/null
check "kill -9: the kernel still answers a cached name" "$dig crash.example.test A +short" "192.0.2.2"
check "kill -9: a mixed-case repeat keeps its case" "$dig CRASH.example.test A" "CRASH.example.test."

daemon second "${common[@]}" || e2e_exit
check "restart: the pinned link is adopted" "cat $dlog" "adopted the fast path"
ok "restart: one XDP program on lo" test "$(xdp_progs)" = 1
check "restart: the cache is warm (upstream gone)" "$dig crash.example.test A +short" "192.0.2.2"
hits=$(kernel_hits)
check "restart: a repeat is answered" "$dig crash.example.test A +short" "192.0.2.2"
ok "restart: ... by the kernel (the name hash's key is kept with the maps)" test "$(kernel_hits)" -gt "$hits"
check "restart: counters carried over (hits.bind)" "$dig CH TXT hits.bind +short" '"'
stop_daemon
ok "SIGTERM: detached" test "$(xdp_progs)" = 0
check_not "SIGTERM: the link pin is gone" "ls $pin" "xdp_link_lo"

upstream 2 --ttl=300
daemon keep "${common[@]}" --keep-fast-path || e2e_exit
check "keep-fast-path: a miss" "$dig kept.example.test A +short" "192.0.2.2"
stop_daemon
ok "keep-fast-path: still attached after SIGTERM" test "$(xdp_progs)" = 1
check "keep-fast-path: the kernel answers" "$dig kept.example.test A +short" "192.0.2.2"
daemon after-keep "${common[@]}" || e2e_exit
check "keep-fast-path: the next daemon adopts it" "cat $dlog" "adopted the fast path"
stop_daemon
ok "keep-fast-path: the next clean stop detaches" test "$(xdp_progs)" = 0

# another layout version pinned: replaced, not misread
bpftool map update pinned "$pin/layout" key 0 0 0 0 value 99 0 0 0 0 8 0 0 8 1 0 0 0 0 0 0
daemon layout "${common[@]}" || e2e_exit
check "layout: another version is replaced, and said" "cat $dlog" "layout version 99"
check "layout: a fresh cache answers" "$dig layout.example.test A +short" "192.0.2.2"
stop_daemon
# a layout map of another size (a later build's): read by its size, not overrun
rm -f "$pin/layout"
bpftool map create "$pin/layout" type array key 4 value 64 entries 1 name layout
daemon layout2 "${common[@]}" || e2e_exit
check "layout: one of another size is replaced, and said" "cat $dlog" "replacing them"
check "layout: ... and a fresh cache answers" "$dig layout2.example.test A +short" "192.0.2.2"
stop_daemon
# a cache pinned without its name hash key (a crash while pinning): replaced
rm -f "$pin/name_key"
daemon nokey "${common[@]}" || e2e_exit
check "name_key: a cache without it is replaced, and said" "cat $dlog" "no name hash key"
check "name_key: ... and a fresh cache answers" "$dig nokey.example.test A +short" "192.0.2.2"
stop_daemon

# TC: taken over after a crash, never stacked
daemon tc1 "${common[@]}" --attach=tc || e2e_exit
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
daemon tc2 "${common[@]}" --attach=tc || e2e_exit
ok "tc: one filter after a crash and a restart" test "$(tc filter show dev lo ingress | grep -c bpfdns_tc)" = 1
check "tc: answers" "$dig tc.example.test A +short" "192.0.2.2"
# another tool's filters on the same clsact, both ways: a clean stop
# takes ours alone
tc filter add dev lo egress prio 7 handle 1 bpf bytecode '1,6 0 0 4294967295,' flowid 1:1
tc filter add dev lo ingress prio 7 handle 1 bpf bytecode '1,6 0 0 4294967295,' flowid 1:1
stop_daemon
check_not "tc: a clean stop takes our filter" "tc filter show dev lo ingress" "bpfdns_tc"
check "tc: ... and leaves another tool's, egress" "tc filter show dev lo egress" "pref 7"
check "tc: ... and ingress" "tc filter show dev lo ingress" "pref 7"
tc qdisc del dev lo clsact
ok "tc: a clean stop removes it" test "$(tc filter show dev lo ingress | grep -c bpfdns_tc)" = 0

# a second daemon on the same pins fails before it touches them (flock)
ctl="$out/bpfdnsctl --pin-path=$pin --control-socket=$tmp/control.sock"
daemon lock1 "${common[@]}" || e2e_exit
first=$daemon
check "lock: a miss fills the cache" "$dig locked.example.test A +short" "192.0.2.2"
for extra in "--listen-address=127.0.0.9" "--listen-address=127.0.0.9 --cache-size=100"; do
	# shellcheck disable=SC2086 # word splitting is the point
	o=$(timeout 10 "$out/bpfdnsd" -k --pin-path="$pin" --control-socket="$tmp/control.sock" "${common[@]}" \
		$extra 2>&1)
	rc=$?
	ok "lock ($extra): a second daemon on the same pin-path fails at once" test "$rc" -eq 1
	check "lock ($extra): naming the PID that holds it" "echo '$o'" "in use by another bpfdnsd (pid $first)"
	kill -STOP "$first"
	check "lock ($extra): the first one's fast path still answers" "$dig locked.example.test A +short" "192.0.2.2"
	kill -CONT "$first"
	check "lock ($extra): the pinned cache is still the first one's" "$ctl lookup locked.example.test" \
		"192.0.2.2"
done
stop_daemon

# hooks a killed daemon left on lo, when the next one attaches the other kind
daemon orphan-xdp "${common[@]}" || e2e_exit
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
daemon orphan-tc "${common[@]}" --attach=tc || e2e_exit
ok "orphans: xdp, kill -9, then tc: the XDP program is gone" test "$(xdp_progs)" = 0
check "orphans: and said so" "cat $dlog" "detached the XDP fast path a killed bpfdnsd left on lo"
check "orphans: the TC hook answers" "$dig orphan.example.test A +short" "192.0.2.2"
tc_prog() { tc filter show dev lo ingress | sed -n 's/.*bpfdns_tc.* id \([0-9]*\).*/\1/p'; }
old=$(tc_prog)
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
daemon orphan-xdp2 "${common[@]}" || e2e_exit
ok "orphans: tc, kill -9, then xdp (TC behind it): one TC filter" \
	test "$(tc filter show dev lo ingress | grep -c bpfdns_tc)" = 1
ok "orphans: ... the new daemon's program, not the killed one's ($old)" test -n "$(tc_prog)" -a "$(tc_prog)" != "$old"
ok "orphans: one XDP program" test "$(xdp_progs)" = 1
$ctl flush >/dev/null
check "orphans: a flush empties what the kernel answers from" "$dig orphan.example.test A +short" "192.0.2.2"
ok "orphans: ... so the name went upstream again" test "$(upstream_count 2 orphan.example.test)" -ge 2
stop_daemon
ok "orphans: a clean stop leaves no hook" \
	test "$(xdp_progs)" = 0 -a "$(tc filter show dev lo ingress | grep -c bpfdns_tc)" = 0

# bpfdnsctl unload: refused while a daemon runs; after kill -9, the hooks it
# left detached and its pins gone
daemon unload "${common[@]}" || e2e_exit
check "unload: refused while bpfdnsd runs, naming it" "$out/bpfdnsctl --pin-path=$pin unload 2>&1; echo rc=\$?" \
	"in use by another bpfdnsd (pid $daemon)"
ok "unload: ... and its hooks stay" test "$(xdp_progs)" = 1
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
ok "unload: a killed daemon's XDP and TC still attached" \
	test "$(xdp_progs)" = 1 -a "$(tc filter show dev lo ingress | grep -c bpfdns_tc)" = 1
check "unload: after kill -9" "$out/bpfdnsctl --pin-path=$pin unload" "unloaded: every hook detached"
ok "unload: no XDP program left on lo" test "$(xdp_progs)" = 0
ok "unload: no TC filter left on lo" test "$(tc filter show dev lo ingress | grep -c bpfdns_tc)" = 0
ok "unload: the pin directory is gone" test ! -e "$pin"
daemon after-unload "${common[@]}" || e2e_exit
check "unload: the next daemon starts afresh" "$dig unloaded.example.test A +short" "192.0.2.2"
stop_daemon
e2e_exit
