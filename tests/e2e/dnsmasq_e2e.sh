#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# dnsmasq_e2e.sh - dnsmasq configurations run unchanged: a typical
# local-cache file (domain-needed, bogus-priv, conf-dir, quotes, spaces
# around '='), NetworkManager's dnsmasq command line (without D-Bus);
# answers that never go upstream compared with the real dnsmasq's, given
# the same options; unsupported options refused together, --test; SIGHUP
# clears the cache, clear-on-reload, no-poll, log-facility (SIGUSR2 reopens
# its file). Re-executes
# itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "dnsmasq configurations" dig dnsmasq

dig="dig +tries=1 +time=2 @127.0.0.1"
upstream 3

# 1. the usual "local cache" file, with a conf-dir
mkdir "$tmp/dnsmasq.d"
cat >"$tmp/local-cache.conf" <<CONF
# a local cache, as the tutorials write it
domain-needed
bogus-priv
no-resolv
no-hosts
server = 127.0.0.3#5353   # the upstream
listen-address=127.0.0.1
cache-size="1000"
conf-dir=$tmp/dnsmasq.d/,*.conf
CONF
echo "log-queries" >"$tmp/dnsmasq.d/log.conf"
echo "dhcp-range=192.168.1.2,192.168.1.9" >"$tmp/dnsmasq.d/dhcp.conf.bak"
check "--test: the local-cache file is good" "$out/bpfdnsd -C $tmp/local-cache.conf --test; echo rc=\$?" "rc=0"
daemon local -C "$tmp/local-cache.conf" || e2e_exit
check "domain-needed: a plain name's A is NXDOMAIN" "$dig host A" "status: NXDOMAIN"
check "domain-needed: a plain name's MX goes upstream" "$dig host MX" "status: NOERROR"
ok "domain-needed: only the MX reached the upstream" [ "$(upstream_count 3 host)" = 1 ]
check "bogus-priv: 192.168.1.1's PTR is NXDOMAIN, authoritative" "$dig -x 192.168.1.1" "flags: qr aa rd ra"
check "bogus-priv: fd00::1's PTR is NXDOMAIN" "$dig -x fd00::1" "status: NXDOMAIN"
$dig -x 8.8.4.4 >/dev/null
ok "bogus-priv: public PTRs go upstream, private ones never" \
	[ "$(grep -c "in-addr.arpa\|ip6.arpa" "$tmp/up3.log")" = 1 ]
check "CHAOS: version.bind is ours" "$dig CH TXT version.bind +short" '"bpfdns-'
check "CHAOS: another name is NOTIMP, never forwarded" "$dig CH TXT hostname.bind" "status: NOTIMP"
check "conf-dir: *.conf read (log-queries)" "cat $dlog" "config host is NXDOMAIN"

# SIGHUP clears the cache, as dnsmasq's
$dig hup.example.test A >/dev/null
$dig hup.example.test A >/dev/null
kill -HUP "$daemon"
sleep 0.5
$dig hup.example.test A >/dev/null
ok "SIGHUP: the cache is cleared (asked upstream again)" [ "$(upstream_count 3 hup.example.test)" = 2 ]
check "SIGHUP: says so" "cat $dlog" "cache cleared"
stop_daemon

# 2. the same answers as the real dnsmasq with the same options
peer_dnsmasq --no-resolv --no-hosts --domain-needed --bogus-priv --server=127.0.0.3#5353
daemon diff --no-resolv --no-hosts --domain-needed --bogus-priv --server=127.0.0.3#5353 || e2e_exit
for q in "host A" "host AAAA" "host ANY" "-x 192.168.7.7" "5.10.in-addr.arpa PTR" "168.192.in-addr.arpa PTR" \
	"-x 127.0.0.1" "-x 169.254.1.1" "-x 172.31.0.1" "-x 192.0.2.1" "-x 198.51.100.1" "-x 203.0.113.1" \
	"-x 0.0.0.1" "-x ::1" "-x ::" "-x fe80::1" "-x fec0::1" "-x feff::1" "-x 2001:db8::1" \
	"-x ::ffff:192.168.1.1" "d.f.ip6.arpa PTR" "CH TXT hostname.bind" "CH TXT id.server" "CH A version.bind"; do
	compare_peer all $q
done
for q in "host MX" "-x 172.32.0.1" "-x 100.64.0.1" "-x fc00::1" "-x ::ffff:8.8.8.8" "1.168.192.in-addr.arpa TXT" \
	"host.lan A"; do
	compare_peer status $q
done
ok "the real dnsmasq answers $compared queries alike (local: status, flags, counts; forwarded: status)" [ -z "$differ" ]
[ -n "$differ" ] && echo "$differ"
stop_daemon

# 3. NetworkManager's dnsmasq command line (its D-Bus option left out)
mkdir "$tmp/nm.d"
daemon nm --no-resolv --keep-in-foreground --no-hosts --bind-interfaces --pid-file="$tmp/nm.pid" \
	--listen-address=127.0.0.1 --cache-size=400 --clear-on-reload --conf-file=/dev/null --proxy-dnssec \
	--conf-dir="$tmp/nm.d" --server 127.0.0.3#5353 || e2e_exit
check "NetworkManager's arguments: it answers" "$dig nm.example.test A +short" "192.0."
ok "NetworkManager's arguments: the pid file" [ "$(cat "$tmp/nm.pid")" = "$daemon" ]
check "proxy-dnssec: accepted, with a note" "cat $dlog" "proxy-dnssec: accepted"
stop_daemon

# 4. options bpfdns does not have: every line named at once; --test
cat >"$tmp/dhcp.conf" <<CONF
server=127.0.0.3#5353
dhcp-range=192.168.1.2,192.168.1.9
enable-tftp
ipset=/example.test/set
CONF
o=$("$out/bpfdnsd" -C "$tmp/dhcp.conf" --enable-dbus --test 2>&1; echo "rc=$?")
check "unsupported: one message naming every line" "echo '$o'" \
	"dhcp.conf:2: dhcp-range, $tmp/dhcp.conf:3: enable-tftp, $tmp/dhcp.conf:4: ipset, command line: enable-dbus"
check "unsupported: --test exits 1" "echo '$o'" "rc=1"
check "unsupported: start-up stops" "$out/bpfdnsd -k -C $tmp/dhcp.conf; echo rc=\$?" "rc=1"

# 5. the resolv-file: clear-on-reload, no-poll
echo "nameserver 127.0.0.3#5353" >"$tmp/resolv"
daemon col --resolv-file="$tmp/resolv" --clear-on-reload || e2e_exit
$dig col.example.test A >/dev/null
echo "nameserver 127.0.0.3#5353 # again" >"$tmp/resolv"
sleep 0.5
$dig col.example.test A >/dev/null
ok "clear-on-reload: the resolv-file changed, the cache was cleared" [ "$(upstream_count 3 col.example.test)" = 2 ]
: >"$tmp/resolv" # a rewrite caught half-way: no nameserver in it
sleep 0.5
check "an empty resolv-file keeps the upstreams we had" "cat $dlog" "no upstream in the new list: keeping"
check "... and names are still answered" "$dig empty.example.test A +short" "192.0.2.3"
echo "nameserver 127.0.0.3#5353" >"$tmp/resolv"
stop_daemon
daemon nopoll --resolv-file="$tmp/resolv" --no-poll || e2e_exit
echo "nameserver 127.0.0.4#5353" >"$tmp/resolv"
sleep 0.5
check_not "no-poll: a changed resolv-file is not re-read" "cat $dlog" "re-reading"
kill -HUP "$daemon"
sleep 0.3
check "no-poll: SIGHUP still re-reads it" "cat $dlog" "upstreams now: 127.0.0.4#5353"
stop_daemon

# 6. user= and group=, as dnsmasq's
daemon group --no-resolv --server=127.0.0.3#5353 --user=nobody --group=daemon || e2e_exit
check "group=daemon: the daemon runs as that group" "grep ^Gid: /proc/$daemon/status" "Gid:	1	1	1	1"
check "group=daemon: and answers" "$dig grp.example.test A +short" "192.0."
stop_daemon

# 7. log-facility=FILE: every line goes there, stamped
rotate() { # LOG [OWNER]: as logrotate does for dnsmasq: move it (create: a new one for OWNER), SIGUSR2
	mv "$1" "$1.1"
	[ -z "${2:-}" ] || install -m 644 -o "$2" /dev/null "$1"
	kill -USR2 "$daemon"
	for _ in $(seq 50); do grep -qs reopened "$1" && break; sleep 0.1; done
}
daemon_log=$tmp/facility.log daemon facility-out --no-resolv --server=127.0.0.3#5353 \
	--log-facility="$tmp/facility.log" || e2e_exit
check "log-facility=FILE: the log goes there" "cat $tmp/facility.log" "]: bpfdnsd ready"
ok "log-facility=FILE: nothing on stderr" [ ! -s "$tmp/facility-out.log" ]
rotate "$tmp/facility.log"
ok "SIGUSR2: still running" kill -0 "$daemon"
check "SIGUSR2: the log file is opened again, under its name" "cat $tmp/facility.log" "reopened"
stop_daemon
# with user=, the file is the run user's (as dnsmasq does), so logrotate's
# create (owner copied) leaves a file it can reopen
chmod 755 "$tmp"
daemon_log=$tmp/user.log daemon user-out --no-resolv --server=127.0.0.3#5353 --user=nobody \
	--log-facility="$tmp/user.log" || e2e_exit
check "user=: the log file is the run user's" "stat -c %U $tmp/user.log" "nobody"
rotate "$tmp/user.log" nobody
check "user=: SIGUSR2 reopens what logrotate created" "cat $tmp/user.log" "reopened"
stop_daemon
e2e_exit
