#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# cachefile_e2e.sh - cache-file=: a warm cache across a reboot (pins
# removed: bpfdnsctl unload). Written on a clean stop (0600, no temporary
# left), loaded before anything is answered with TTLs aged by the wall
# clock, answered by the kernel with the upstreams gone; expired entries and
# local data not loaded; a corrupt, truncated, foreign or future-dated file
# ignored with a warning, and the daemon answers anyway.
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "cache-file" dig bpftool gzip

dig="dig +tries=1 +time=2 @127.0.0.1"
pin=$tmp/bpffs/bpfdns
mkdir -m 0755 "$tmp/cache"
cf=$tmp/cache/bpfdns.cache
common=(--no-resolv --server=127.0.0.2#5353 --server=/short.test/127.0.0.3#5353 --cache-file="$cf"
	--address=/local.test/192.0.2.99)
ttl_of() { $dig "$1" A +noall +answer | awk 'NR == 1 { print $2 }'; }
# as after a reboot: no pins, nothing attached
reboot() { "$out/bpfdnsctl" --pin-path="$pin" unload >/dev/null; }
# the header's little-endian fields, rewritten with the checksum made again
# (gzip's trailer holds the crc32 zlib computes)
le() { # VALUE BYTES
	local i
	for ((i = 0; i < $2; i++)); do printf "\\x$(printf %02x $(($1 >> (8 * i) & 255)))"; done
}
put() { # FILE OFFSET BYTES...: the bytes at OFFSET
	dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
set_written() { # FILE NS: the file written at NS (wall clock), checksum made again
	le "$2" 8 | put "$1" 16
	le 0 4 | put "$1" 28
	gzip -c "$1" | tail -c 8 | head -c 4 | put "$1" 28
}
written_ns() { od -An -t u8 -j 16 -N 8 "$1" | tr -d ' '; }

upstream 2 --ttl=300
upstream 3 --ttl=3
daemon first "${common[@]}" || e2e_exit
check "first start: no file yet, said" "cat $dlog" "none yet, starting cold"
check "warm: A" "$dig a.example.test A +short" "192.0.2.2"
check "warm: a big answer (cache_big)" "$dig big.example.test A +short | wc -l" "60"
check "warm: NXDOMAIN" "$dig nx.example.test A" "status: NXDOMAIN"
check "warm: with DO" "$dig do.example.test A +dnssec +short" "192.0.2.2"
check "warm: a 3 s TTL" "$dig a.short.test A +short" "192.0.2.3"
check "warm: local data" "$dig local.test A +short" "192.0.2.99"
stop_daemon
check "clean stop: written, and said" "cat $dlog" "cache-file $cf: wrote"
ok "clean stop: the file is the daemon's alone (0600)" test "$(stat -c %a "$cf")" = 600
ok "clean stop: no temporary file left" test ! -e "$cf.tmp"
check "clean stop: local data is not in it" "grep -c local.test $cf || true" "0"
cp "$cf" "$tmp/good.cache"

# the reboot: pins gone, upstreams gone; the 3 s entry expires meanwhile
reboot
kill "$up2" "$up3"
wait "$up2" "$up3" 2>/dev/null
sleep 4
daemon second "${common[@]}" || e2e_exit
check "after the reboot: 4 loaded, the expired one not" "cat $dlog" "loaded 4 of"
ok "after the reboot: the file is gone once read (a flush, then a crash, brings nothing back)" test ! -e "$cf"
hits=$(kernel_hits)
check "after the reboot: A answered (upstream gone)" "$dig a.example.test A +short" "192.0.2.2"
ok "after the reboot: ... by the kernel" test "$(kernel_hits)" -gt "$hits"
ttl=$(ttl_of a.example.test)
ok "after the reboot: its TTL aged by the time that passed (300 > $ttl > 250)" \
	test "${ttl:-999}" -lt 297 -a "${ttl:-0}" -gt 250
check "after the reboot: the big answer" "$dig big.example.test A +short | wc -l" "60"
check "after the reboot: NXDOMAIN" "$dig nx.example.test A" "status: NXDOMAIN"
check "after the reboot: with DO" "$dig do.example.test A +dnssec +short" "192.0.2.2"
check "after the reboot: the client's ID and case echoed" "$dig A.Example.TEST A" "A.Example.TEST."
check "after the reboot: the expired entry is not answered" "$dig a.short.test A" "status: SERVFAIL"
check "after the reboot: local data from the configuration" "$dig local.test A +short" "192.0.2.99"
stop_daemon

# a restart, pins kept: the pinned cache is newer; a flush made while the
# daemon was down stays made
"$out/bpfdnsctl" --pin-path="$pin" flush nx.example.test >/dev/null
daemon third "${common[@]}" || e2e_exit
check "restart with pins: the file is not loaded over them" "cat $dlog" "not loaded, the pinned cache is newer"
check "restart with pins: a name flushed while it was down stays flushed" "$dig nx.example.test A" \
	"status: SERVFAIL"
stop_daemon

# today's limits hold for what the file brings (max-cache-ttl, no-negcache)
cp "$tmp/good.cache" "$cf"
reboot
daemon limits "${common[@]}" --max-cache-ttl=60 --no-negcache || e2e_exit
ttl=$(ttl_of a.example.test)
ok "max-cache-ttl=60: a loaded TTL no higher ($ttl)" test "${ttl:-999}" -le 60
check "no-negcache: no NXDOMAIN loaded" "$dig nx.example.test A" "status: SERVFAIL"
stop_daemon

# written 200 s earlier: TTLs 200 s lower; 400 s: expired, none loaded
cp "$tmp/good.cache" "$cf"
set_written "$cf" $(($(written_ns "$cf") - 200000000000))
reboot
daemon aged "${common[@]}" || e2e_exit
ttl=$(ttl_of a.example.test)
ok "written 200 s ago: TTL under 100 ($ttl)" test "${ttl:-999}" -lt 100 -a "${ttl:-0}" -gt 50
stop_daemon
cp "$tmp/good.cache" "$cf"
set_written "$cf" $(($(written_ns "$cf") - 400000000000))
reboot
daemon expired "${common[@]}" || e2e_exit
check "written 400 s ago: nothing loaded" "cat $dlog" "loaded 0 of"
stop_daemon

# bad files: a warning, and the daemon starts and answers from upstream
upstream 2 --ttl=300
bad() { # NAME WHY: start on $cf, expect the warning WHY and an answer
	reboot
	daemon "bad-${1// /-}" "${common[@]}" || return
	check "$1: ignored with a warning" "cat $dlog" "ignored: $2"
	check "$1: the daemon answers anyway" "$dig a.example.test A +short" "192.0.2.2"
	stop_daemon
}
cp "$tmp/good.cache" "$cf"
printf '\xff' | put "$cf" 100
bad "a flipped byte" "corrupt"
head -c -10 "$tmp/good.cache" >"$cf"
bad "truncated" "corrupt"
cp "$tmp/good.cache" "$cf"
printf 'x' >>"$cf"
bad "a byte appended" "corrupt"
printf 'nameserver 192.0.2.1\n' >"$cf"
bad "foreign" "not a bpfdns cache file"
check "foreign: left as it is at stop" "cat $cf; cat $dlog" "nameserver 192.0.2.1"
check "foreign: ... and said" "cat $dlog" "not a bpfdns cache file, left as it is"
: >"$cf"
bad "empty" "not a bpfdns cache file"
cp "$tmp/good.cache" "$cf"
set_written "$cf" $((($(date +%s) + 86400) * 1000000000))
bad "written tomorrow" "written later than the clock"
rm -f "$cf"
mkdir "$cf"
bad "a directory" "Is a directory"
check "a directory: not written over at stop, said" "cat $dlog" "cannot write cache-file"
rmdir "$cf"
mkfifo "$cf"
bad "a FIFO" "not a regular file"
ok "a FIFO: still a FIFO after the stop (never replaced by a file)" test -p "$cf"
rm -f "$cf"

# a temporary file left there (another's, readable by all): never reused
rm -f "$cf"
install -m 0644 /dev/null "$cf.tmp"
daemon tmpleft "${common[@]}" || e2e_exit
$dig a.example.test A +short >/dev/null
stop_daemon
ok "a temporary file left there: the cache file is still 0600" test "$(stat -c %a "$cf")" = 600
check "a relative path is refused (a forked daemon runs from /)" \
	"timeout 5 $out/bpfdnsd -k --no-resolv --server=127.0.0.2#5353 --cache-file=cache 2>&1" "give an absolute path"

# the daemon's user cannot write there: said at start
daemon nobody "${common[@]}" --user=nobody || e2e_exit
check "user=nobody, a root directory: said at start" "cat $dlog" "the cache will not be kept at stop"
stop_daemon
daemon nocache "${common[@]}" --cache-size=0 || e2e_exit
check "cache-size=0: said to do nothing" "cat $dlog" "does nothing with cache-size=0"
stop_daemon
e2e_exit
