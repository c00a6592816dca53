#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# group_e2e.sh - control-group=: read-only access for a monitoring group.
# Without it the control socket is root's alone (0600); with it the group
# (nogroup here, as the user nobody) reads statistics through the socket
# and the cache through the pins (dump, lookup: read-only map fds), while
# flush and stats --reset stay root's, through the daemon and on the pins.
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "control-group" dig runuser jq

# what nobody needs to reach: our directory, a bpffs it may pass through,
# and a bpfdnsctl outside the build tree (which may be in root's home)
chmod 711 "$tmp"
mkdir "$tmp/bpffs"
mount -t bpf -o mode=0711 bpf "$tmp/bpffs"
install -m 755 "$out/bpfdnsctl" "$tmp/bpfdnsctl"
ctl="$tmp/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
nobody="runuser -u nobody -- $ctl"
dig="dig +tries=1 +time=2 @127.0.0.1"
upstream 2 --ttl=300

daemon closed --no-resolv --server=127.0.0.2#5353 || e2e_exit
$dig www.example.test A +short >/dev/null
ok "no control-group: the control socket is root's alone (0600)" test "$(stat -c %a "$tmp/control.sock")" = 600
check "no control-group: nobody gets nothing, and is told who may" "$nobody stats 2>&1; echo rc=\$?" \
	"root, or a member of bpfdnsd's control-group="
check "no control-group: root still reads" "$ctl stats" "bpfdnsd:   answering"
stop_daemon

daemon shared --no-resolv --server=127.0.0.2#5353 --control-group=nogroup || e2e_exit
$ctl flush >/dev/null # the first daemon's entry, kept in the pinned map
$dig www.example.test A +short >/dev/null
$dig nx.example.test A +short >/dev/null
ok "control-group: the socket is the group's (0660)" test "$(stat -c '%a %G' "$tmp/control.sock")" = "660 nogroup"
ok "control-group: the pin directory may be passed, not listed nor locked (0710)" \
	test "$(stat -c '%a %G' "$tmp/bpffs/bpfdns")" = "710 nogroup"
check "a member cannot hold the pins' lock (a next start would wait on it)" \
	"runuser -u nobody -- flock -n $tmp/bpffs/bpfdns true 2>&1; echo rc=\$?" "Permission denied"
ok "control-group: the cache's pin is readable (0640)" \
	test "$(stat -c '%a %G' "$tmp/bpffs/bpfdns/cache")" = "640 nogroup"
check_not "control-group: a bpffs the group may pass through: no warning" "cat $dlog" "keeps the group out"
check "a member: stats" "$nobody stats" "bpfdnsd:   answering"
check "a member: stats, the answers by RCODE" "$nobody stats" "upstream NOERROR 1, NXDOMAIN 1"
ok "a member: stats --json" test "$($nobody --json stats | jq .bpfdns_cache_entries)" = 2
check "a member: dump (the pins, read-only)" "$nobody dump" "www.example.test."
check "a member: lookup" "$nobody lookup www.example.test" "192.0.2.2"
check "a member: flush is refused by the daemon" "$nobody flush 2>&1; echo rc=\$?" "flush needs root"
check "a member: ... and exits 1" "$nobody flush 2>&1; echo rc=\$?" "rc=1"
check "a member: stats --reset is refused" "$nobody stats --reset 2>&1 >/dev/null; echo rc=\$?" \
	"needs root (control-group= reads statistics only)"
check "a member: ... and nothing was flushed or reset" "$ctl stats" "cache:     2 of 8192 entries, 2 insertions"
check "root: flush through the same socket" "$ctl flush nx.example.test" "flushed 1 entry"
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
check "no daemon, a member: dump from the pins" "$nobody dump" "www.example.test."
check "no daemon, a member: flush on the pins is refused" "$nobody flush 2>&1; echo rc=\$?" \
	"changing the cache takes root"
check "no daemon, a member: ... and the entry stays" "$ctl dump" "www.example.test."
check "no daemon, a member: stats --reset on the pins is refused" "$nobody stats --reset 2>&1; echo rc=\$?" \
	"rc=1"

# the option dropped: access taken back
daemon private --no-resolv --server=127.0.0.2#5353 || e2e_exit
ok "control-group dropped: the pins are root's again (0700, 0600)" \
	test "$(stat -c '%a %G' "$tmp/bpffs/bpfdns") $(stat -c '%a %G' "$tmp/bpffs/bpfdns/cache")" = "700 root 600 root"
check "control-group dropped: a former member reads nothing" "$nobody dump 2>&1; echo rc=\$?" "rc=1"
stop_daemon

# a bpffs the group cannot pass through (systemd mounts /sys/fs/bpf 0700): said
chmod 700 "$tmp/bpffs"
daemon walled --no-resolv --server=127.0.0.2#5353 --control-group=nogroup || e2e_exit
check "a parent the group cannot pass: said at start" "cat $dlog" "keeps the group out"
check "... the members still get statistics" "$nobody stats" "bpfdnsd:   answering"
stop_daemon
check "an unknown group stops start-up, named" "timeout 5 $out/bpfdnsd -k --no-resolv --server=127.0.0.2#5353 \
	--pin-path=$tmp/bpffs/other --control-socket=$tmp/other.sock --control-group=no-such-group-here 2>&1" \
	"control-group=no-such-group-here: no such group"
e2e_exit
