#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bench_e2e.sh - the benchmark tool works: a quick run of tools/bench/bench
# produces every section for every system, the JSON and the plots. Nothing
# about speed is asserted: timings on shared machines are not verdicts.
set -u
name="benchmark quick run"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP $name: needs root; CI runs it as root"; exit 0; fi
for c in dnsperf nsd dnsmasq unbound dnsdist gnuplot dig jq; do
	command -v $c >/dev/null || { echo "SKIP $name: $c missing (make test-deps)"; exit 0; }
done
out=${OUT:-build}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
check() { # NAME COND...
	local n=$1
	shift
	if "$@"; then echo "PASS $n"; else echo "FAIL $n"; fails=$((fails + 1)); fi
}
OUT=$out tools/bench/bench --quick --out "$dir" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
check "bench: a quick run exits 0" test $rc = 0
csv=$dir/results.csv
for s in floor bpfdns dnsmasq unbound dnsdist; do
	check "bench: $s hit throughput measured" grep -qE "^hits,$s,qps_t2,[1-9]" "$csv"
	check "bench: $s hit latency measured" grep -qE "^latency,$s,p50,[0-9.]+$" "$csv"
done
for s in bpfdns dnsmasq unbound dnsdist; do
	check "bench: $s cold misses measured" grep -qE "^miss,$s,cold_qps,[1-9]" "$csv"
	for f in dead-closed-live preferred-dark slow-50ms; do
		check "bench: $s fault scenario $f measured" grep -qE "^fault-$f,$s,lost,[0-9]+$" "$csv"
	done
done
check "bench: memory per cache entry measured" grep -qE "^memory,bpfdns,bytes_per_entry,[1-9]" "$csv"
check "bench: record bytes per cache entry measured" grep -qE "^memory,bpfdns,record_bytes,[1-9]" "$csv"
check "bench: the hit path stage by stage, every case timed" \
	awk 'NR > 2 && !($NF ~ /^[0-9]+$/ && $(NF - 1) ~ /^[0-9]+$/) { bad = 1 }
		NR > 2 { n++ } END { exit bad || n < 5 }' "$dir/stages.txt"
check "bench: hits with more names cached measured" grep -qE "^scale,bpfdns-5000,qps_t2,[1-9]" "$csv"
for m in bpfdns-all-servers bpfdns-hedged bpfdns-strict-order dnsmasq-default unbound-default dnsdist-default; do
	check "bench: $m cold misses with 8 upstreams measured" grep -qE "^miss-upstreams,$m,cold_qps_8,[1-9]" "$csv"
done
check "bench: upstream traffic per mode" grep -qE "^traffic,bpfdns-all-servers,queries_per_miss,2\.00$" "$csv"
check "bench: strict-order sends one query per miss" grep -qE "^traffic,bpfdns-strict-order,queries_per_miss,1\.00$" "$csv"
check "bench: prefetch hit ratio measured, with and without" \
	grep -qE "^prefetch,bpfdns-no-prefetch,hit_ratio,0\.[0-9]+$" "$csv"
check "bench: prefetch hit ratio in the table" grep -q "Zipf replay" "$dir/stdout"
check "bench: the table shows the targets" grep -q "CPU per hit / floor's" "$dir/stdout"
for s in floor bpfdns bpfdns-generic bpfdns-xdp dnsmasq unbound dnsdist; do
	check "bench: $s hits over a veth measured" grep -qE "^veth-hits,$s,qps_t2,[1-9]" "$csv"
	check "bench: ... and their latency" grep -qE "^veth-latency,$s,p50,[0-9.]+$" "$csv"
done
check "bench: the veth table and its targets" grep -q "bpfdns-xdp: hit throughput / best peer's" "$dir/stdout"
check "bench: JSON written" grep -q '"metric": "qps_t2"' "$dir/results.json"
check "bench: latency CDF plot" test -s "$dir/latency-cdf.png"
check "bench: throughput plot" test -s "$dir/throughput.png"
if [ $fails -gt 0 ]; then
	echo "--- bench output:"; cat "$dir/stdout"; tail -20 "$dir/stderr"
fi
exit $((fails > 0))
