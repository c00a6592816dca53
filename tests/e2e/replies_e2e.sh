#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# replies_e2e.sh - what upstream replies and client EDNS may and may not do
# (issue 13): malformed replies with our ID and question never win a race
# (the next upstream answers, SERVFAIL when none is left, never an empty
# NOERROR + TC); TCP failing after a truncated reply gives SERVFAIL; a
# 65535-byte answer over TCP loses our OPT, not its records; EDNS versions
# other than 0 get BADVERS; client EDNS options never go upstream; RD=0 is
# answered from the cache only; refreshes keep AD. Re-executes itself
# under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd and upstream replies" dig

dig="dig +tries=1 +time=3 @127.0.0.1"
upstream 3 --delay=20
export MALLOC_PERTURB_=165

# 5. a malformed reply races a good one 20 ms slower, over UDP and TCP
for mode in bad-rdlength lying-count cut ptr-loop long-label opt-in-answer two-opts badvers; do
	upstream 2 --mode=$mode
	daemon "race-$mode" --no-resolv --server=127.0.0.2#5353 --server=127.0.0.3#5353 --all-servers || e2e_exit
	check "malformed ($mode): the good upstream's answer wins" "$dig m-$mode.example.test A +short" "192.0.2.3"
	check "malformed ($mode): over TCP too" "$dig +tcp t-$mode.example.test A +short" "192.0.2.3"
	stop_daemon
	daemon "hedged-$mode" --no-resolv --server=127.0.0.2#5353 --server=127.0.0.3#5353 || e2e_exit
	check "malformed ($mode), hedged: the next upstream answers" "$dig h-$mode.example.test A +short" "192.0.2.3"
	stop_daemon
	daemon "alone-$mode" --no-resolv --server=127.0.0.2#5353 || e2e_exit
	check "malformed ($mode), the only upstream: SERVFAIL" "$dig a-$mode.example.test A" "status: SERVFAIL"
	check "malformed ($mode), the only upstream, TCP: SERVFAIL" "$dig +tcp b-$mode.example.test A" \
		"status: SERVFAIL"
	stop_daemon
	kill "$up2"
	wait "$up2" 2>/dev/null
done
# getaddrinfo through a bind-mounted resolv.conf
upstream 2 --mode=lying-count
daemon gai --no-resolv --server=127.0.0.2#5353 --server=127.0.0.3#5353 --all-servers || e2e_exit
# getaddrinfo's AI_ADDRCONFIG wants an address beyond loopback, as any host has
ip link add bpfdns-t0 type veth peer name bpfdns-t1
ip addr add 198.18.0.1/24 dev bpfdns-t0
ip link set bpfdns-t1 up
ip link set bpfdns-t0 up
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf
check "malformed: getaddrinfo gets the good upstream's address" "getent ahostsv4 gai.example.test" "192.0.2.3"
umount /etc/resolv.conf
stop_daemon
kill "$up2"
wait "$up2" 2>/dev/null

# 6. truncated over UDP, then TCP fails: SERVFAIL, never TC
for mode in tc-hang tc-reset tc-zero tc-lying; do
	upstream 4 --mode=$mode
	daemon "tc-$mode" --no-resolv --server=127.0.0.4#5353 --query-timeout=1000 || e2e_exit
	o=$($dig "u-$mode.example.test" A 2>&1)
	if grep -q "status: SERVFAIL" <<<"$o" && ! grep -q "flags:.* tc" <<<"$o"; then
		echo "PASS tcp fails ($mode): SERVFAIL without TC"
	else
		report_fail "tcp fails ($mode)" "want SERVFAIL without TC:" "$o"
	fi
	check "tcp fails ($mode): over TCP, SERVFAIL" "$dig +tcp v-$mode.example.test A" "status: SERVFAIL"
	stop_daemon
	kill "$up4"
	wait "$up4" 2>/dev/null
done

upstream 5
daemon edns --no-resolv --server=127.0.0.5#5353 --prefetch=50 || e2e_exit
# 6. a 65535-byte reply to an EDNS client over TCP: our OPT is dropped
o=$($dig +tcp max.example.test TXT 2>&1)
if grep -q "status: NOERROR" <<<"$o" && grep -q "flags: qr rd ra;" <<<"$o" && ! grep -q "ANSWER: 0," <<<"$o"; then
	echo "PASS max: a 65535-byte answer over TCP comes whole ($(grep -o 'ANSWER: [0-9]*' <<<"$o"), no TC)"
else
	report_fail "max" "want the records, no TC:" "$(head -12 <<<"$o")"
fi
# 7. EDNS version 1: BADVERS from us, nothing upstream
check "EDNS version 1 gets BADVERS" "$dig +edns=1 +noednsnegotiation v1.example.test A" "status: BADVERS"
ok "EDNS version 1: nothing went upstream" test "$(upstream_count 5 v1.example.test)" -eq 0
# 8. the client's options (subnet, cookie) never go upstream
check "ECS query answered" "$dig +subnet=198.51.100.0/24 ecs.example.test A +short" "192.0.2.5"
check "ECS: the upstream saw our OPT without options" "grep ' ecs.example.test. ' $tmp/up5.log" "opts=-"
check_not "ECS: no client subnet upstream" "grep ' ecs.example.test. ' $tmp/up5.log" "opts=8"
# 9. RD=0: from the cache only
check "RD=0, not cached: REFUSED" "$dig +norecurse norec.example.test A" "status: REFUSED"
ok "RD=0, not cached: nothing went upstream" test "$(upstream_count 5 norec.example.test)" -eq 0
check "RD=1 caches it" "$dig norec.example.test A +short" "192.0.2.5"
check "RD=0, cached: answered" "$dig +norecurse norec.example.test A +short" "192.0.2.5"
stop_daemon

# 9. a refresh asks with AD, so a trust-ad client keeps AD after it
upstream 6 --ad --ttl=4
daemon ad --no-resolv --server=127.0.0.6#5353 --prefetch=50 || e2e_exit
check "AD: the first answer has AD" "$dig +adflag ad.example.test A" "flags: qr rd ra ad;"
sleep 2.5 # into the last half of the TTL: the next hit asks for a refresh
$dig +adflag ad.example.test A >/dev/null
sleep 1
ok "AD: the entry was refreshed ($(upstream_count 6 ad.example.test) upstream queries)" \
	test "$(upstream_count 6 ad.example.test)" -ge 2
check_not "AD: every upstream query asked with AD" "grep ' ad.example.test. ' $tmp/up6.log" "flags=rd "
check "AD: after the refresh the answer still has AD" "$dig +adflag ad.example.test A" "flags: qr rd ra ad;"
stop_daemon
e2e_exit
