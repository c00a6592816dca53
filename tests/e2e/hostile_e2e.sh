#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# hostile_e2e.sh - malformed client packets (empty, truncated, oversized,
# wrong opcode, QDCOUNT other than 1, bad labels, compression loops, and
# the 341 messages of other projects' corpora) over UDP and TCP: FORMERR,
# NOTIMP or silence, never a crash or a stuck daemon; everyone else keeps
# getting answers. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsd against hostile clients" dig

upstream 2
daemon hostile --no-resolv --server=127.0.0.2#5353 --query-timeout=500 || e2e_exit
send="$out/tests/upstream/sendraw 127.0.0.1#53"
dig="dig +tries=1 +time=2 @127.0.0.1"
mk() { # NAME HEX: a message file
	printf '%b' "$(sed 's/\(..\)/\\x\1/g' <<<"$2")" >"$tmp/m-$1"
}
hdr() { # FLAGS QD AN NS AR: a header with ID 0x1234
	printf '1234%s%04x%04x%04x%04x' "$1" "$2" "$3" "$4" "$5"
}
q="03777777076578616d706c65047465737400"  # www.example.test.
mk empty ""
mk short "12340100"
mk header-only "$(hdr 0100 0 0 0 0)"
mk qdcount0 "$(hdr 0100 0 0 0 0)${q}00010001"
mk qdcount2 "$(hdr 0100 2 0 0 0)${q}00010001${q}00010001"
mk opcode-status "$(hdr 1100 1 0 0 0)${q}00010001"
mk label-0x40 "$(hdr 0100 1 0 0 0)4061620000010001"
mk label-over "$(hdr 0100 1 0 0 0)3f6162"
mk loop "$(hdr 0100 1 0 0 0)c00c00010001"
mk forward-ptr "$(hdr 0100 1 0 0 0)c01000010001"
mk response "$(hdr 8180 1 0 0 0)${q}00010001"
mk truncated-q "$(hdr 0100 1 0 0 0)0377777707657861"
mk two-opts "$(hdr 0100 1 0 0 2)${q}00010001000029100000000000000000291000000000000000"
mk answer-rr "$(hdr 0100 1 1 0 0)${q}00010001c00c000100010000003c0004c0000201"
head -c 4000 /dev/urandom >"$tmp/m-oversized"

expect() { # NAME WANT (rcode=N or none) [--tcp]
	local o
	o=$($send ${3:-} "$tmp/m-$1")
	if grep -q " $2$" <<<"$o"; then echo "PASS hostile${3:+ (tcp)}: $1 gets $2"; else
		report_fail "hostile${3:+ (tcp)}: $1" "want $2, got:" "$o"
	fi
}
for t in "" --tcp; do
	expect empty none $t
	expect short none $t
	expect header-only rcode=1 $t
	expect qdcount0 rcode=1 $t
	expect qdcount2 rcode=1 $t
	expect opcode-status rcode=4 $t
	expect loop rcode=1 $t
	expect forward-ptr rcode=1 $t
	expect truncated-q rcode=1 $t
	expect label-over rcode=1 $t
	expect two-opts rcode=1 $t
	expect label-0x40 rcode=1 $t
	expect answer-rr rcode=0 $t # unusual, not wrong: answered
	expect response none $t
done
check "hostile: 4000 random bytes get no answer or FORMERR" "$send $tmp/m-oversized" "m-oversized"
ok "hostile: the daemon is alive" kill -0 "$daemon"
check "hostile: and still answers" "$dig after.example.test A +short" "192.0.2.2"

corpus=$(dirname "$0")/../../../shared/corpus/dns-packets
if [ -d "$corpus" ]; then
	$send --timeout=50 "$corpus"/* >"$tmp/corpus-udp.out"
	$send --tcp --timeout=50 "$corpus"/* >"$tmp/corpus-tcp.out"
	ok "corpus: $(wc -l <"$tmp/corpus-udp.out") messages over UDP and TCP, the daemon is alive" kill -0 "$daemon"
	check "corpus: and still answers" "$dig after2.example.test A +short" "192.0.2.2"
else
	echo "SKIP corpus: $corpus not found"
fi
# a TCP client that says more than it sends, and one that never reads
exec 3<>/dev/tcp/127.0.0.1/53
printf '\xff\xff\x12\x34' >&3
check "tcp: a client sending half a message does not block others" "$dig +tcp tcp1.example.test A +short" "192.0.2.2"
exec 3>&-
stop_daemon
check_not "hostile: no sanitizer or crash report" "cat $dlog" "Sanitizer"
e2e_exit
