#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# clients_e2e.sh - bpfdnsd as the system resolver: glibc getaddrinfo through
# a resolv.conf bind-mounted in a private mount namespace, nsd as a real
# authoritative upstream, and the seed's dnsmasq configuration run as it is
# (resolv-file=/etc/resolv.dnsmasq appears through an overlay on /etc).
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd as the system resolver" dig getent nsd

# nsd serving nsd.test on 127.0.0.5#5353
mkdir -p "$tmp/nsd"
cat >"$tmp/nsd/nsd.conf" <<EOC
server:
	ip-address: 127.0.0.5@5353
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$tmp/nsd"
	database: ""
	zonelistfile: "$tmp/nsd/zone.list"
	xfrdfile: "$tmp/nsd/xfrd.state"
	xfrdir: "$tmp/nsd"
	pidfile: "$tmp/nsd/nsd.pid"
	logfile: "$tmp/nsd/nsd.log"
	server-count: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
	verbosity: 2
remote-control:
	control-enable: no
zone:
	name: nsd.test
	zonefile: nsd.test.zone
EOC
cat >"$tmp/nsd/nsd.test.zone" <<'EOC'
$ORIGIN nsd.test.
$TTL 600
@	IN SOA ns hostmaster 1 3600 600 86400 120
@	IN NS ns
ns	IN A 127.0.0.5
www	IN A 198.51.100.7
www	IN AAAA 2001:db8::7
alias	IN CNAME www
EOC
nsd -d -c "$tmp/nsd/nsd.conf" 2>"$tmp/nsd/stderr" &
pids+=($!)
for _ in $(seq 50); do dig +tries=1 +time=1 @127.0.0.5 -p 5353 ns.nsd.test +short | grep -q 127.0.0.5 && break; sleep 0.1; done

# getaddrinfo's AI_ADDRCONFIG wants an address beyond loopback, as any host has
ip link add bpfdns-t0 type veth peer name bpfdns-t1
ip addr add 198.18.0.1/24 dev bpfdns-t0
ip addr add 2001:db8:ff::1/64 dev bpfdns-t0 nodad
ip link set bpfdns-t1 up
ip link set bpfdns-t0 up

# the system's resolv.conf, in this mount namespace only
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf

upstream 4
daemon nsd --no-resolv --server=127.0.0.9#5353 --server=127.0.0.5#5353 --log-queries || e2e_exit
check "nsd upstream: an A record" "dig +tries=1 @127.0.0.1 www.nsd.test A +short" "198.51.100.7"
check "nsd upstream: a CNAME chain" "dig +tries=1 @127.0.0.1 alias.nsd.test A +short" "198.51.100.7"
check "nsd upstream: NXDOMAIN with its SOA" "dig +tries=1 @127.0.0.1 nope.nsd.test A" "status: NXDOMAIN"
check "nsd upstream: the cached NXDOMAIN keeps the SOA" "dig +tries=1 @127.0.0.1 nope.nsd.test A" \
	"hostmaster.nsd.test."
check "getaddrinfo: getent ahosts (A and AAAA)" "getent ahosts www.nsd.test" "2001:db8::7"
check "getaddrinfo: getent ahostsv4" "getent ahostsv4 alias.nsd.test" "198.51.100.7"
check_not "getaddrinfo: an unknown name fails" "getent ahosts nope.nsd.test || echo failed-as-expected" \
	"198.51.100"
kill -STOP "$daemon"
check "getaddrinfo: answered by the kernel with the daemon stopped" "getent ahostsv4 www.nsd.test" \
	"198.51.100.7"
kill -CONT "$daemon"
stop_daemon

# the seed configuration, unchanged; its resolv-file through an overlay
rm -f "$tmp"/bpffs/bpfdns/*
mkdir -p "$tmp/etc-upper" "$tmp/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$tmp/etc-upper,workdir=$tmp/etc-work" /etc
mount --bind "$tmp/resolv.conf" /etc/resolv.conf
printf 'nameserver 127.0.0.3#5353\nnameserver 127.0.0.4#5353\n' >/etc/resolv.dnsmasq
upstream 3 --mode=drop
cat >"$tmp/seed.conf" <<'EOC'
interface=lo
bind-interfaces
all-servers
cache-size=0
no-negcache
resolv-file=/etc/resolv.dnsmasq
log-queries
EOC
daemon seed -C "$tmp/seed.conf" || e2e_exit
check "seed config: starts with the fast path off (cache-size=0)" "cat $dlog" "fast path off"
check "seed config: getaddrinfo answers through the live upstream" "getent ahostsv4 seed.example.test" \
	"192.0.2.4"
check "seed config: dig too" "dig +tries=1 @127.0.0.1 seed.example.test A +short" "192.0.2.4"
ok "seed config: nothing cached, both lookups went upstream" test "$(upstream_count 4 seed.example.test)" -ge 2
check "seed config: the query log" "cat $dlog" "query[A] seed.example.test from 127.0.0.1"
check_not "seed config: nothing pinned" "ls $tmp/bpffs/bpfdns 2>&1" "cache"
stop_daemon
e2e_exit
