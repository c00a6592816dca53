#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# kubernetes_e2e.sh - what dist/kubernetes ships holds together: the
# ConfigMap carries bpfdns.conf unchanged, bpfdnsd takes it, the DaemonSet
# asks for the systemd unit's capabilities, and the shipped configuration
# (its upstreams and paths pointed at the test's) serves pods in network
# namespaces behind veths named as Calico names them, the kernel answering
# their cached lookups at 169.254.20.10. Re-executes itself under
# `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "dist/kubernetes" dig jq
k8s=$(dirname "$0")/../../dist/kubernetes

# the ConfigMap's copy of bpfdns.conf, de-indented
awk '/^  bpfdns.conf: \|/ { on = 1; next } /^---/ { on = 0 } on { sub(/^    /, ""); print }' \
	"$k8s/daemonset.yaml" >"$tmp/configmap.conf"
ok "the ConfigMap carries bpfdns.conf unchanged" diff -u "$k8s/bpfdns.conf" "$tmp/configmap.conf"
ok "bpfdnsd --test takes the shipped configuration" "$out/bpfdnsd" --test -C "$k8s/bpfdns.conf"
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$k8s/../bpfdnsd.service.in" | tr ' ' '\n' | sed 's/^CAP_//' | sort)
pod_caps=$(grep -A2 'drop: \["ALL"\]' "$k8s/daemonset.yaml" | sed -n 's/.*add: \[\(.*\)\]/\1/p' | tail -1 |
	tr -d '" ' | tr ',' '\n' | sort)
ok "the DaemonSet asks for the unit's capabilities, no more ($(echo $pod_caps))" [ "$unit_caps" = "$pod_caps" ]

# the node: the init step's node-local interface (a bridge: this kernel
# has no dummy), pods behind cali* veths
ip link add nodelocaldns type bridge
sh -c "$(sed -n '/ip link show nodelocaldns/,/ip link set nodelocaldns up/p' "$k8s/daemonset.yaml" |
	sed 's/^ *//; s/^- //; s/ip link add nodelocaldns type dummy/true/')"
ok "the init step put 169.254.20.10 on nodelocaldns" bash -c "ip -4 addr show nodelocaldns | grep -q 169.254.20.10/32"
pod() { # N: a pod, 10.244.0.N, behind caliN
	client_ns "bpfdns-k$1-$$" "cali$1" "10.244.0.$1/32"
	ip -n "bpfdns-k$1-$$" route add 169.254.20.10 dev eth0
	ip route add "10.244.0.$1/32" dev "cali$1"
}
pod 11
grep -vE '^(server|resolv-file|pin-path|control-socket|metrics)=' "$k8s/bpfdns.conf" >"$tmp/node.conf"
upstream 3
daemon node -C "$tmp/node.conf" --no-resolv --server=127.0.0.3#5353 --server=/cluster.local/127.0.0.3#5353 ||
	e2e_exit
pod 12
ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
for _ in $(seq 100); do grep -q "attached to cali12" "$dlog" && break; sleep 0.05; done
for p in 11 12; do
	ip netns exec "bpfdns-k$p-$$" dig +tries=1 +time=2 @169.254.20.10 web.default.svc.cluster.local >/dev/null
done
h0=$($ctl stats --json | jq .bpfdns_kernel_packets_total.hit)
n=0
for _ in $(seq 10); do
	for p in 11 12; do
		ip netns exec "bpfdns-k$p-$$" dig +tries=1 +time=2 @169.254.20.10 web.default.svc.cluster.local +short |
			grep -qx 192.0.2.3 && n=$((n + 1))
	done
done
h1=$($ctl stats --json | jq .bpfdns_kernel_packets_total.hit)
ok "two pods (one from before start-up, one after): 20 of 20 cached lookups answered ($n)" [ "$n" = 20 ]
ok "... every one by the kernel, on the pods' veths ($((h1 - h0)) hits)" [ "$((h1 - h0))" = 20 ]
check "bpfdnsctl stats: the hooks" "$ctl stats" "tc on cali12 (auto: a veth loses native XDP's answers)"
stop_daemon
e2e_exit
