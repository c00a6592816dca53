#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# ctl_e2e.sh - operating bpfdns: bpfdnsctl (stats, --watch, upstreams,
# dump, lookup, flush; text and --json) against a running bpfdnsd and
# against pinned maps alone, its errors with neither, the Prometheus
# endpoint (metrics=), and bpftool's named fields. Re-executes itself
# under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "bpfdnsctl and metrics" dig jq curl bpftool dpkg-deb

upstream 2 --ttl=300
daemon ctl --no-resolv --server=127.0.0.2#5353 --metrics=127.0.0.1:9153 || e2e_exit
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
dig="dig +tries=1 +time=2 @127.0.0.1"
$dig www.example.test A +short >/dev/null
$dig www.example.test A +short >/dev/null # the kernel's
$dig Mixed.Example.test AAAA +short >/dev/null
$dig nx.example.test A +short >/dev/null

check "stats: the daemon answers" "$ctl stats" "bpfdnsd:   answering"
check "stats: cache entries" "$ctl stats" "cache:     3 of 8192 entries, 3 insertions"
check "stats: kernel hits and misses" "$ctl stats" "answers:   1 kernel hits, 0 daemon hits, 3 misses"
check "stats: the upstream's line" "$ctl stats" "127.0.0.2#5353"
check "stats: answers by where and RCODE" "$ctl stats" "rcodes:    kernel NOERROR 1; upstream NOERROR 2, NXDOMAIN 1"
check "stats: how long the daemon's answers took" "$ctl stats" "latency:   daemon answers (3): p50 <= "
ok "stats --json: answers by RCODE for each where" \
	test "$($ctl --json stats | jq -c '[.bpfdns_answers_total.kernel, .bpfdns_answers_total.upstream]')" = \
	'[{"NOERROR":1,"NXDOMAIN":0},{"NOERROR":2,"NXDOMAIN":1}]'
$dig +tcp www.example.test A +short >/dev/null
$dig +norecurse norecurse.example.test A +short >/dev/null
check "stats: the daemon's cache over TCP, a refusal of its own" "$ctl stats" \
	"cache NOERROR 1; upstream NOERROR 2, NXDOMAIN 1; local REFUSED 1"
ok "stats: the latency histogram counts every daemon answer" \
	test "$($ctl --json stats | jq '.bpfdns_answer_duration_seconds_count')" = 5
ok "stats --json: valid JSON with the numbers" \
	test "$($ctl --json stats | jq '.bpfdns_cache_entries, .bpfdns_cache_hits_total.kernel' | tr '\n' ' ')" = "3 1 "
ok "stats --json: per-upstream numbers by name" \
	test "$($ctl --json stats | jq '.bpfdns_upstream_wins_total["127.0.0.2#5353"]')" = 3
check "stats --watch: rates per second" "$ctl stats --watch --interval=0.2 --count=2" "kernel/s"
ok "stats --watch --json: one JSON object a line" \
	test "$($ctl --json stats --watch --interval=0.2 --count=2 | jq -s length)" = 2
check "upstreams: health, counts, latency" "$ctl upstreams" "up"
check "upstreams: latency quantiles" "$ctl upstreams" "p99"
ok "upstreams --json" test "$($ctl --json upstreams | jq -r '.bpfdns_upstream_state["127.0.0.2#5353"].up')" = 1
check "dump: cached names with their TTL" "$ctl dump" "www.example.test."
check "dump: a negative entry" "$ctl dump" "NXDOMAIN"
ok "dump --json: three entries" test "$($ctl --json dump | jq length)" = 3
ok "the options after the command too: dump --json" test "$($ctl dump --json | jq length)" = 3
ok "... lookup NAME --json" test "$($ctl lookup www.example.test --json | jq -r '.[0].records[0].data')" = 192.0.2.2
ok "... upstreams --json" test "$($ctl upstreams --json | jq -r '.bpfdns_upstream_state["127.0.0.2#5353"].up')" = 1
check "lookup: the records, any case asked" "$ctl lookup WWW.EXAMPLE.TEST" "192.0.2.2"
check "lookup: by type" "$ctl lookup mixed.example.test AAAA" "2001:db8::2"
ok "lookup --json: the records" \
	test "$($ctl --json lookup www.example.test A | jq -r '.[0].records[0].data')" = 192.0.2.2
check "lookup: a name not cached says so" "$ctl lookup nope.example.test; echo rc=\$?" "not in the cache"
check "lookup: and exits 3" "$ctl lookup nope.example.test; echo rc=\$?" "rc=3"
$dig +bufsize=1232 big.example.test A +short >/dev/null # 60 records: a large entry, in cache_big
ok "lookup: a large answer (cache_big) reads back whole" \
	test "$($ctl --json lookup big.example.test A | jq '.[0].records | length')" = 60
$dig txt.example.test TXT +short >/dev/null
check "lookup: TXT as dig prints it, quoted (rdata_test.c: each type)" "$ctl lookup txt.example.test TXT" \
	'"testdns 2"'
check "flush NAME: drops that name" "$ctl flush www.example.test" "flushed 1 entry"
check_not "flush NAME: gone from the dump" "$ctl dump" "www.example.test."
$dig www.example.test A +short >/dev/null
ok "flush NAME: the next query went upstream again" test "$(upstream_count 2 www.example.test)" = 2
check "flush: everything" "$ctl flush" "flushed 5 entries"
ok "flush: the large answers' map too" test "$(bpftool -j map dump pinned "$tmp/bpffs/bpfdns/cache_big" | jq length)" = 0
# Unbound's flush_negative, flush_type, flush_zone
for q in "www.example.test A" "www.example.test AAAA" "a.www.example.test A" "nx.example.test A" \
	"nodata.example.test A" "big.example.test A" "www.example.testx A"; do
	$dig +bufsize=1232 $q +short >/dev/null
done
ok "flush variants: seven entries to start with" test "$($ctl --json dump | jq length)" = 7
check "flush --negative: NXDOMAIN and NODATA" "$ctl flush --negative" "flushed 2 entries"
check "flush NAME TYPE: only that type" "$ctl flush www.example.test AAAA" "flushed 1 entry"
check_not "... the name's other type stays" "$ctl flush www.example.test AAAA" "flushed 1 entry"
check "flush --zone: a name is not under a name it only ends with" "$ctl flush --zone ample.test" "flushed 0"
check "flush --zone NAME: the name and every name under it" "$ctl flush --zone www.example.test" \
	"flushed 2 entries"
check "... not a sibling's, nor a longer label's" "$ctl --json dump | jq -r '.[].name' | sort | tr '\n' ' '" \
	"big.example.test. www.example.testx. "
check "flush --zone needs a name" "$ctl flush --zone 2>&1; echo rc=\$?" "rc=2"
check "flush: a bad type is refused" "$ctl flush www.example.test NOPE 2>&1" "bad type"
check "flush --zone . empties everything" "$ctl flush --zone ." "flushed 2 entries"
check "flush: through the daemon, so not counted as evictions" "$dig CH TXT evictions.bind +short" '"0"'
ok "flush: the cache is empty" test "$($ctl --json dump | jq length)" = 0
check "errors: an unknown command" "$ctl frobnicate 2>&1; echo rc=\$?" "rc=2"

check "metrics: Prometheus exposition over HTTP" "curl -s http://127.0.0.1:9153/metrics" \
	'bpfdns_cache_hits_total{where="kernel"} 1'
check "metrics: HELP and TYPE lines" "curl -s http://127.0.0.1:9153/metrics" \
	"# TYPE bpfdns_kernel_packets_total counter"
check "metrics: a scraper's query string is ignored" "curl -s 'http://127.0.0.1:9153/metrics?x=1'" \
	"# TYPE bpfdns_cache_entries gauge"
check "metrics: HEAD gets 200" \
	"curl -s -I http://127.0.0.1:9153/metrics | tr -d '\r'" "HTTP/1.1 200 OK"
ok "metrics: ... a Content-Length above 1000" \
	test "$(curl -s -I http://127.0.0.1:9153/metrics | tr -d '\r' | awk '/^Content-Length:/ { print $2 }')" -gt 1000
ok "metrics: ... and no body (headers only, under 300 bytes)" test "$(bash -c 'exec 3<>/dev/tcp/127.0.0.1/9153
	printf "HEAD /metrics HTTP/1.0\r\n\r\n" >&3; timeout 2 cat <&3' | wc -c)" -lt 300
# promtool, from the prometheus package make test-deps downloaded (a server:
# never installed)
deb=$(ls "${BPFDNS_DEB_CACHE:-/var/cache/bpfdns/debs}"/prometheus_*.deb 2>/dev/null | tail -n 1)
if [ -n "$deb" ] && dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/bin/promtool 2>/dev/null; then
	curl -s http://127.0.0.1:9153/metrics >"$tmp/metrics.txt"
	ok "metrics: promtool check metrics finds nothing ($(wc -l <"$tmp/metrics.txt") lines)" \
		test -z "$("$tmp/usr/bin/promtool" check metrics <"$tmp/metrics.txt" 2>&1)"
	check "metrics: the upstream RTT is a summary" "cat $tmp/metrics.txt" \
		"# TYPE bpfdns_upstream_rtt_seconds summary"
	check "metrics: ... with its count" "cat $tmp/metrics.txt" 'bpfdns_upstream_rtt_seconds_count{upstream="127.0.0.2#5353"} '
	check "metrics: answers by where and RCODE" "cat $tmp/metrics.txt" \
		'bpfdns_answers_total{where="upstream",rcode="NXDOMAIN"} 2'
	check "metrics: the daemon's answers' latency, a histogram" "cat $tmp/metrics.txt" \
		'bpfdns_answer_duration_seconds_bucket{le="+Inf"} '
else
	report_fail "metrics: promtool" "no prometheus .deb in ${BPFDNS_DEB_CACHE:-/var/cache/bpfdns/debs} (make test-deps)" ""
fi
check "metrics: another path still gets 404" "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9153/other" "404"
check "metrics: per-upstream series" "curl -s http://127.0.0.1:9153/metrics" \
	'bpfdns_upstream_queries_total{upstream="127.0.0.2#5353"}'
check "metrics: other paths are 404" "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9153/x" "404"
# 40 metrics clients that never finish a request hold no control slot, and
# take only their own listener's slots (the most overdue gives way)
"$out/tests/upstream/tcpclient" 127.0.0.1#9153 --conns=40 --seconds=3 trickle >"$tmp/slow-metrics.out" &
slow=$!
pids+=($slow)
sleep 0.5
check "slow metrics clients: bpfdnsctl still answered" "$ctl stats" "bpfdnsd:   answering"
check "slow metrics clients: a new metrics client still answered" \
	"curl -s -m 2 http://127.0.0.1:9153/metrics" "# TYPE bpfdns_cache_entries gauge"
wait "$slow"
check "slow metrics clients: each was closed (request deadline, or room for another)" \
	"cat $tmp/slow-metrics.out" "closed=40 of 40"
# a full pool whose most overdue client gives way while an event of it is
# still in the same epoll batch (the daemon stopped meanwhile): it is only
# shut then, and freed after the batch
for k in $(seq 16); do exec {fd}<>/dev/tcp/127.0.0.1/9153; slowfd[$k]=$fd; printf 'GE' >&"$fd"; done
kill -STOP "$daemon"
exec {newfd}<>/dev/tcp/127.0.0.1/9153
printf 'T' >&"${slowfd[1]}"
kill -CONT "$daemon"
sleep 0.3
ok "full metrics pool, an evicted client's event in the same batch: the daemon lives" kill -0 "$daemon"
check "... and answers" "curl -s -m 2 http://127.0.0.1:9153/metrics" "# TYPE bpfdns_cache_entries gauge"
for fd in "${slowfd[@]}" "$newfd"; do exec {fd}>&-; done
# every map the XDP program uses, the pinned ones too, says whose it is
prog=$(bpftool -j link show pinned "$tmp/bpffs/bpfdns/xdp_link_lo" | jq .prog_id)
names=$(for m in $(bpftool -j prog show id "$prog" | jq '.map_ids[]'); do bpftool -j map show id "$m" | jq -r .name; done)
ok "bpftool map show: every map of the fast path is named bpfdns... ($(echo $names))" \
	test -n "$names" -a -z "$(echo "$names" | grep -v '^bpfdns')"
check "bpftool map show: the cache as bpfdns_cache" "echo $names" "bpfdns_cache"
ok "bpftool: the pins keep their names (the cache is pinned as cache)" \
	test "$(bpftool -j map show pinned "$tmp/bpffs/bpfdns/cache" | jq -r .name)" = bpfdns_cache
check "bpftool: the counters map prints named fields" \
	"bpftool map dump pinned $tmp/bpffs/bpfdns/counters" '"hit": '
$dig again.example.test A +short >/dev/null
check "bpftool: the cache map too" "bpftool map dump pinned $tmp/bpffs/bpfdns/cache" '"ttl_off": '
check "bpftool: a cache key is the name's hash" "bpftool map dump pinned $tmp/bpffs/bpfdns/cache" '"name_hash": '
check "stats --reset: shows the counters first" "$ctl stats --reset" "answers:"
ok "stats --reset: then the daemon's and the kernel's count from zero" \
	test "$($ctl --json stats | jq -c '[.bpfdns_cache_hits_total.kernel, .bpfdns_cache_misses_total,
		.bpfdns_cache_insertions_total, .bpfdns_upstream_queries_total["127.0.0.2#5353"]]')" = "[0,0,0,0]"
ok "stats --reset: the entries stay" test "$($ctl --json stats | jq .bpfdns_cache_entries)" -ge 1
ok "stats --reset: and no eviction is made up" test "$($ctl --json stats | jq .bpfdns_cache_evictions_total)" = 0
check "stats --reset --watch is refused" "$ctl stats --reset --watch 2>&1; echo rc=\$?" "rc=2"
$dig again.example.test A +short >/dev/null # a kernel hit, for the pins' checks below

# no daemon: the kernel's numbers from the pins; no pins: a clear error
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
check "no daemon: stats from the pinned maps" "$ctl stats" "not answering on $tmp/control.sock"
check "no daemon: kernel counters still there" "$ctl stats" "kernel:    hit 1"
check "no daemon: the kernel's answers by RCODE" "$ctl stats" "rcodes:    kernel NOERROR 1"
check "no daemon: upstreams says why it cannot" "$ctl upstreams 2>&1" "does not answer on"
check "no daemon: flush works on the pinned map" "$ctl flush again.example.test" "flushed 1 entry"
ok "no daemon: and the entry is gone" test "$($ctl --json dump | jq length)" = 0
$ctl stats --reset >/dev/null
check "no daemon: stats --reset zeroes the kernel's counters on the pins" "$ctl stats" "kernel:    hit 0"
check "no pins: says what is missing and why" \
	"$out/bpfdnsctl --pin-path=$tmp/none --control-socket=$tmp/none.sock stats 2>&1" "is bpfdnsd running?"
e2e_exit
