#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# access_e2e.sh - who gets answers: loopback only by default; access-control
# allows, refuses (REFUSED, from the daemon) or denies (dropped, in the
# kernel too) other sources, by longest prefix, over UDP and TCP, v4 and v6.
# Clients use source addresses put on lo. Re-executes itself under
# `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd access control" dig

for a in 192.0.2.1 192.0.2.66 198.51.100.1; do ip addr add "$a/32" dev lo; done
ip addr add 2001:db8::1/128 dev lo nodad
ip addr add 2001:db9::1/128 dev lo nodad
upstream 2
dig="dig +tries=1 +time=1"

# defaults: loopback, and the subnets of the addresses listened on (here
# 192.0.2.1/32), as dnsmasq's local-service; everyone else refused
daemon default --no-resolv --server=127.0.0.2#5353 --listen-address=127.0.0.1 \
	--listen-address=192.0.2.1 || e2e_exit
check "default: loopback is answered" "$dig @127.0.0.1 www.example.test +short" "192.0.2.2"
check "default: the subnet listened on is answered (local-service)" \
	"$dig @192.0.2.1 -b 192.0.2.1 www.example.test +short" "192.0.2.2"
check "default: another source is refused" "$dig @192.0.2.1 -b 198.51.100.1 www.example.test" "status: REFUSED"
check "default: refused over TCP too" "$dig +tcp @192.0.2.1 -b 198.51.100.1 www.example.test" "status: REFUSED"
check_not "default: no warning about remote sources" "cat $dlog" "access-control allows"
stop_daemon

daemon acl --no-resolv --server=127.0.0.2#5353 --access-control=192.0.2.0/24 \
	--access-control=192.0.2.66,deny --access-control=2001:db8::/32,allow || e2e_exit
check "acl: bpfdnsd warns that sources beyond loopback are allowed" "cat $dlog" "access-control allows"
check "acl: an allowed source gets the answer" "$dig @127.0.0.1 -b 192.0.2.1 www.example.test +short" "192.0.2.2"
check "acl: an allowed v6 source gets the answer" "$dig @::1 -b 2001:db8::1 www.example.test +short" "192.0.2.2"
check "acl: an unlisted source gets REFUSED" "$dig @127.0.0.1 -b 198.51.100.1 refused.example.test" \
	"status: REFUSED"
check "acl: REFUSED echoes the question" "$dig @127.0.0.1 -b 198.51.100.1 refused.example.test" "QUERY: 1,"
check "acl: an unlisted v6 source gets REFUSED" "$dig @::1 -b 2001:db9::1 refused.example.test" \
	"status: REFUSED"
check "acl: REFUSED over TCP" "$dig +tcp @127.0.0.1 -b 198.51.100.1 refused.example.test" "status: REFUSED"
ok "acl: refused queries never went upstream" test "$(upstream_count 2 refused.example.test)" = 0
check "acl: a denied source gets nothing, even for a cached name" \
	"$dig @127.0.0.1 -b 192.0.2.66 www.example.test" "timed out"
check "acl: a denied source's TCP connection is closed" \
	"$dig +tcp @127.0.0.1 -b 192.0.2.66 www.example.test" ";; communications error"
kill -STOP "$daemon"
check "acl: with the daemon stopped, the kernel answers an allowed source" \
	"$dig @127.0.0.1 -b 192.0.2.1 www.example.test +short" "192.0.2.2"
check "acl: ... and leaves an unlisted source to the daemon" \
	"$dig @127.0.0.1 -b 198.51.100.1 www.example.test" "timed out"
kill -CONT "$daemon"
check "acl: the daemon then answers it REFUSED" "$dig @127.0.0.1 -b 198.51.100.1 www.example.test" \
	"status: REFUSED"
kill -USR1 "$daemon"
sleep 0.3
check "acl: SIGUSR1 counts refused and dropped queries" "cat $dlog" "access-control: "
check "acl: the fast path counts refused and denied sources (bpftool, named fields)" \
	"bpftool map dump pinned $tmp/bpffs/bpfdns/counters" '"denied": '
stop_daemon
e2e_exit
