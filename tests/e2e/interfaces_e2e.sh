#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# interfaces_e2e.sh - interface= as dnsmasq means it: bpfdnsd listens on
# the addresses of every interface named (wildcards too, less
# except-interface=, plus lo) and puts the fast path on each one, with
# clients in other network namespaces behind a veth, behind a bridge, and
# as Kubernetes pods reaching a node-local address (NodeLocal DNSCache's
# pattern). Interfaces and addresses that come and go while it runs are
# followed (netlink), as dnsmasq's default and bind-dynamic do; with
# bind-interfaces they are not. Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "interface=, several at once, coming and going" dig jq

ctl="$out/bpfdnsctl --pin-path=$tmp/bpffs/bpfdns --control-socket=$tmp/control.sock"
kstat() { $ctl stats --json | jq ".bpfdns_kernel_packets_total.$1"; }
hstat() { $ctl stats --json | jq ".bpfdns_kernel_hook_packets_total.$1.$2"; } # HOOK OUTCOME
wait_log() { # NEEDLE: until the daemon logs it (at most 5 s)
	for _ in $(seq 100); do grep -qF -- "$1" "$dlog" && return 0; sleep 0.05; done
	return 1
}

# N cached lookups of NAME TYPE from NS at SERVER: how many got ANSWER
lookups() { # NS SERVER NAME TYPE ANSWER N
	local n=0
	for _ in $(seq "$6"); do
		ip netns exec "$1" dig +tries=1 +time=2 "@$2" "$3" "$4" +short | grep -qx "$5" && n=$((n + 1))
	done
	echo "$n"
}

upstream 3
# a container behind a veth, another behind a bridge
client_ns bpfdns-a$$ bpfdns-v0 198.18.7.2/24 2001:db8:7::2/64
ip addr add 198.18.7.1/24 dev bpfdns-v0
ip addr add 2001:db8:7::1/64 dev bpfdns-v0 nodad
client_ns bpfdns-b$$ bpfdns-b0 198.18.9.2/24
ip link add bpfdns-br0 type bridge
ip link set bpfdns-b0 master bpfdns-br0
ip addr add 198.18.9.1/24 dev bpfdns-br0
ip link set bpfdns-br0 up

daemon multi --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-v0,bpfdns-br0 || e2e_exit
for i in lo bpfdns-v0 bpfdns-br0; do
	check "interface=A,B: the fast path on $i" "cat $dlog" "fast path attached to $i ("
done
check "... lo keeps XDP beside them" "cat $dlog" "fast path attached to lo (xdp)"
check "... the veth gets TC" "cat $dlog" "fast path attached to bpfdns-v0 (tc)"
for a in 127.0.0.1#53 198.18.7.1#53 2001:db8:7::1#53 198.18.9.1#53 ::1#53; do
	check "... listening on $a" "cat $dlog" "listening on $a (udp and tcp)"
done
check "... the ready line says where the fast path is" "cat $dlog" "tc on bpfdns-v0"

ip netns exec bpfdns-a$$ dig +tries=1 +time=2 @198.18.7.1 c.multi.test A +short >/dev/null
ip netns exec bpfdns-a$$ dig +tries=1 +time=2 @2001:db8:7::1 c.multi.test AAAA +short >/dev/null
ip netns exec bpfdns-b$$ dig +tries=1 +time=2 @198.18.9.1 c.multi.test A +short >/dev/null
dig +tries=1 +time=2 @127.0.0.1 c.multi.test A +short >/dev/null
h0=$(kstat hit)
ok "the veth's client, IPv4: 10 of 10 answered, without access-control= (its subnet, as local-service)" \
	[ "$(lookups bpfdns-a$$ 198.18.7.1 c.multi.test A 192.0.2.3 10)" = 10 ]
ok "the veth's client, IPv6: 10 of 10" [ "$(lookups bpfdns-a$$ 2001:db8:7::1 c.multi.test AAAA 2001:db8::3 10)" = 10 ]
ok "the bridge's client: 10 of 10" [ "$(lookups bpfdns-b$$ 198.18.9.1 c.multi.test A 192.0.2.3 10)" = 10 ]
n=0
for _ in $(seq 10); do dig +tries=1 +time=2 @127.0.0.1 c.multi.test A +short | grep -qx 192.0.2.3 && n=$((n + 1)); done
ok "lo's client: 10 of 10" [ "$n" = 10 ]
ok "... and the kernel answered all 40 ($(($(kstat hit) - h0)) hits)" [ "$(($(kstat hit) - h0))" = 40 ]

# answers XDP cannot grow (generic XDP: about 300 bytes) are TC's, behind it
check "lo: TC behind XDP" "cat $dlog" "... and TC behind XDP on lo, for the answers XDP cannot grow"
check "the bridge: TC behind XDP" "cat $dlog" "... and TC behind XDP on bpfdns-br0"
big() { # DIG-ARGS...: 60 records (~1000 bytes) arrived
	[ "$("$@" +tries=1 +time=2 +bufsize=1232 big.multi.test A +short | wc -l)" = 60 ]
}
big dig @127.0.0.1
big ip netns exec bpfdns-b$$ dig @198.18.9.1
h0=$(kstat hit) t0=$(hstat tc hit) x0=$(hstat xdp no_room)
n=0
for _ in $(seq 10); do
	big dig @127.0.0.1 && n=$((n + 1))
	big ip netns exec bpfdns-b$$ dig @198.18.9.1 && n=$((n + 1))
done
ok "~1000-byte answers from lo and through the bridge: 20 of 20 arrived" [ "$n" = 20 ]
ok "... every one answered by the kernel ($(($(kstat hit) - h0)) hits)" [ "$(($(kstat hit) - h0))" = 20 ]
ok "... by TC, behind XDP ($(($(hstat tc hit) - t0)) TC hits, $(($(hstat xdp no_room) - x0)) XDP no_room)" \
	test "$(($(hstat tc hit) - t0))" = 20 -a "$(($(hstat xdp no_room) - x0))" = 20
check "bpfdnsctl stats: each hook's counters" "$ctl stats" "  tc       hit "
m0=$(hstat tc miss) x0=$(hstat xdp miss)
dig +tries=1 +time=2 @127.0.0.1 fresh.multi.test A +short >/dev/null
ok "a miss on lo: XDP's ($(($(hstat xdp miss) - x0))), never looked up again by TC behind it" \
	test "$(hstat tc miss)" = "$m0" -a "$(($(hstat xdp miss) - x0))" = 1

# forged loopback sources from the container's link: an on-link attacker
# sending as 127.0.0.1 or ::1 (what only lo may carry) gets nothing; the
# same frame from its own address is answered (veth_e2e: generic XDP)
dns_query c.multi.test "$tmp/q.bin"
ok "a frame from the container's own address, sent raw, is answered (the check works)" \
	test "$(forge bpfdns-a$$ 198.18.7.1 198.18.7.2 bpfdns-v0 "$tmp/q.bin")" = rcode=0
h0=$(kstat hit) d0=$(kstat denied)
ok "forged 127.0.0.1 from the veth: no answer" \
	test "$(forge bpfdns-a$$ 198.18.7.1 127.0.0.1 bpfdns-v0 "$tmp/q.bin")" = none
ok "forged ::1 from the veth: no answer" test "$(forge bpfdns-a$$ 2001:db8:7::1 ::1 bpfdns-v0 "$tmp/q.bin")" = none
ok "forged 127.0.0.1 through the bridge: no answer" \
	test "$(forge bpfdns-b$$ 198.18.9.1 127.0.0.1 bpfdns-br0 "$tmp/q.bin")" = none
ok "... all three denied (the veth's TC, the bridge's XDP), none a hit" \
	test "$(($(kstat denied) - d0))" = 3 -a "$(kstat hit)" = "$h0"

# a source beyond the subnets listened on is refused (routed to the veth)
ip -n bpfdns-a$$ addr add 203.0.113.5/32 dev eth0
ip route add 203.0.113.5/32 dev bpfdns-v0
check "a source outside the subnets listened on: REFUSED" \
	"ip netns exec bpfdns-a$$ dig +tries=1 +time=2 @198.18.7.1 -b 203.0.113.5 c.multi.test A" "status: REFUSED"

# an address added while running is listened on, and one removed is let go
ip addr add 198.18.7.100/24 dev bpfdns-v0
ok "an address added to a served interface: listened on" wait_log "listening on 198.18.7.100#53"
h0=$(kstat hit)
ok "... answered there, by the kernel" [ "$(lookups bpfdns-a$$ 198.18.7.100 c.multi.test A 192.0.2.3 5)" = 5 ]
ok "... (5 hits: $(($(kstat hit) - h0)))" [ "$(($(kstat hit) - h0))" = 5 ]
ip addr del 198.18.7.100/24 dev bpfdns-v0
ok "the address removed: no longer listened on" wait_log "no longer listening on 198.18.7.100#53"
ok "... nor answered by the kernel" [ "$(lookups bpfdns-a$$ 198.18.7.100 c.multi.test A 192.0.2.3 1)" = 0 ]
stop_daemon
check_not "no warning or error in the log" "grep -E '^(warning|error)' $dlog" ":"

# bind-interfaces: the addresses of start-up only
daemon static --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-v0 --bind-interfaces || e2e_exit
ip addr add 198.18.7.101/24 dev bpfdns-v0
sleep 1
check_not "bind-interfaces: an address added later is not listened on" "cat $dlog" "198.18.7.101"
ip addr del 198.18.7.101/24 dev bpfdns-v0
stop_daemon

# a listen-address= no interface has yet: waited for (refused with bind-interfaces)
daemon later --no-resolv --server=127.0.0.3#5353 --listen-address=127.0.0.1 --listen-address=198.18.7.50 ||
	e2e_exit
check "listen-address= not there yet: start-up goes on" "cat $dlog" \
	"listen-address 198.18.7.50 is on no interface yet: listening for it"
check_not "... and the fast path is not on the veth yet" "cat $dlog" "attached to bpfdns-v0"
ip addr add 198.18.7.50/24 dev bpfdns-v0
ok "... it appears: the fast path goes on the interface that has it" wait_log "fast path attached to bpfdns-v0 (tc)"
h0=$(kstat hit)
ok "... answered there ($(lookups bpfdns-a$$ 198.18.7.50 c.multi.test A 192.0.2.3 1) miss), then by the kernel" \
	[ "$(lookups bpfdns-a$$ 198.18.7.50 c.multi.test A 192.0.2.3 5)" = 5 ]
ok "... (hits: $(($(kstat hit) - h0)))" [ "$(($(kstat hit) - h0))" -ge 5 ]
stop_daemon
ip addr del 198.18.7.50/24 dev bpfdns-v0
ok "bind-interfaces and a listen-address= not there: refused, as dnsmasq" \
	bash -c "! $out/bpfdnsd -k --no-resolv --listen-address=198.18.7.51 --bind-interfaces \
	--pin-path=$tmp/bpffs/absent --control-socket=$tmp/absent.sock >$tmp/absent.log 2>&1"
check "... saying why" "cat $tmp/absent.log" "cannot listen on 198.18.7.51#53 (udp): Cannot assign requested address"
daemon missing --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-nosuch || e2e_exit
check "interface= naming no interface (yet): a warning, as dnsmasq" "cat $dlog" \
	"interface=bpfdns-nosuch: no such interface yet: served when it appears"
stop_daemon

# NodeLocal DNSCache's pattern: pods in namespaces behind veths named as a
# CNI names them, a node-local address on an interface of its own (a bridge
# stands in for the dummy interface this kernel lacks)
ip link add bpfdns-nl type bridge
ip addr add 169.254.20.10/32 dev bpfdns-nl
ip link set bpfdns-nl up
pod() { # N: a pod, 10.244.0.N, behind bpfdns-podN, reaching 169.254.20.10
	client_ns "bpfdns-p$1-$$" "bpfdns-pod$1" "10.244.0.$1/32"
	ip -n "bpfdns-p$1-$$" route add 169.254.20.10 dev eth0
	ip route add "10.244.0.$1/32" dev "bpfdns-pod$1"
}
pod_lookups() { lookups "bpfdns-p$1-$$" 169.254.20.10 c.pod.test A 192.0.2.3 "$2"; }
pod 1
pod 2
daemon pods --no-resolv --server=127.0.0.3#5353 --interface=bpfdns-nl --interface='bpfdns-pod*' \
	--except-interface=bpfdns-pod9 --access-control=10.244.0.0/16 --access-control=fe80::/10 || e2e_exit
check "pods: listening on the node-local address" "cat $dlog" "listening on 169.254.20.10#53"
check "pods: bpfdns-pod* matched pod1" "cat $dlog" "fast path attached to bpfdns-pod1 (tc)"
check "pods: ... and pod2" "cat $dlog" "fast path attached to bpfdns-pod2 (tc)"
pod_lookups 1 1 >/dev/null
h0=$(kstat hit)
ok "pods: pod1's cached lookups: 10 of 10" [ "$(pod_lookups 1 10)" = 10 ]
ok "pods: pod2's: 10 of 10" [ "$(pod_lookups 2 10)" = 10 ]
ok "pods: ... all answered by the kernel ($(($(kstat hit) - h0)) hits)" [ "$(($(kstat hit) - h0))" = 20 ]
pod 3
ok "pods: a pod created after start-up is attached" wait_log "fast path attached to bpfdns-pod3 (tc)"
h0=$(kstat hit)
ok "pods: pod3's cached lookups: 10 of 10" [ "$(pod_lookups 3 10)" = 10 ]
ok "pods: ... by the kernel ($(($(kstat hit) - h0)) hits)" [ "$(($(kstat hit) - h0))" = 10 ]
for n in $(seq 30 59); do pod "$n"; done
ok "pods: 30 more at once: each one attached" \
	wait_log "fast path attached to bpfdns-pod59 (tc)"
ok "pods: ... (30 of 30)" test "$(grep -c 'fast path attached to bpfdns-pod[3-5][0-9] (tc)' "$dlog")" = 30
ok "pods: ... listening on each one's link-local address too (more than 30 addresses)" \
	test "$(grep -c '^listening on fe80::.*%bpfdns-pod' "$dlog")" -ge 30
pod_lookups 59 1 >/dev/null
h0=$(kstat hit)
ok "pods: the last one's cached lookups: 5 of 5, by the kernel" \
	test "$(pod_lookups 59 5)" = 5 -a "$(($(kstat hit) - h0))" = 5
pod 9
sleep 0.5
check_not "pods: except-interface=bpfdns-pod9: never attached" "cat $dlog" "attached to bpfdns-pod9"
check "pods: bpfdnsctl stats says where the fast path is, which hook and why" "$ctl stats" \
	"tc on bpfdns-pod3 (auto: a veth loses native XDP's answers)"
check "pods: ... and so do the metrics" "$ctl stats --json | jq -c .bpfdns_fast_path_hook" '"bpfdns-nl":{"xdp+tc":1}' 
# Calico gives every pod veth the same MAC, so the same link-local address
ip addr add fe80::53/64 dev bpfdns-pod1 nodad
ip addr add fe80::53/64 dev bpfdns-pod2 nodad
ok "pods: one link-local address on two pod veths: listened on each link" \
	wait_log "listening on fe80::53%bpfdns-pod2#53"
ll_lookups() { lookups "bpfdns-p$1-$$" fe80::53%eth0 c.pod.test A 192.0.2.3 "$2"; }
ll_lookups 1 1 >/dev/null
ip netns del "bpfdns-p2-$$"
ok "pods: a pod removed is detached cleanly" wait_log "bpfdns-pod2 is gone, and the fast path with it"
h0=$(kstat hit)
ok "pods: the others are still answered by the kernel" [ "$(pod_lookups 1 5)$(pod_lookups 3 5)" = 55 ]
ok "pods: ... ($(($(kstat hit) - h0)) hits)" [ "$(($(kstat hit) - h0))" = 10 ]
h0=$(kstat hit)
ok "pods: ... also at the link-local address pod2's veth shared, by the kernel" \
	test "$(ll_lookups 1 5)" = 5 -a "$(($(kstat hit) - h0))" = 5
check_not "pods: no other warning or error in the log" \
	"grep -E '^(warning|error)' $dlog | grep -v 'access-control allows sources beyond loopback'" ":"
stop_daemon
check_not "pods: a clean stop leaves no hook pinned" "ls $tmp/bpffs/bpfdns" "_link_"

# as user=, a hook on an interface that appears later cannot be pinned (the
# pins are root's): after a kill -9 the next daemon still finds its TC
# filter, by the pinned maps its program uses, and removes it
daemon nobody --no-resolv --server=127.0.0.3#5353 --interface='bpfdns-u*' --user=nobody || e2e_exit
client_ns bpfdns-u$$ bpfdns-u0 198.18.11.2/24
ip addr add 198.18.11.1/24 dev bpfdns-u0
ok "user=: an interface that appears later is attached" wait_log "fast path attached to bpfdns-u0 (tc)"
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
ok "... and after a kill -9 its TC filter is left, unpinned" \
	test "$(tc filter show dev bpfdns-u0 ingress | grep -c bpfdns_tc)" = 1
daemon after-nobody --no-resolv --server=127.0.0.3#5353 || e2e_exit
check "the next daemon (lo only) removes it, and says so" "cat $dlog" \
	"detached the TC fast path a killed bpfdnsd left on bpfdns-u0"
ok "... none left" test "$(tc filter show dev bpfdns-u0 ingress | grep -c bpfdns)" = 0
stop_daemon

# libvirt's default network: the DNS lines of the file libvirt writes for
# its dnsmasq (its DHCP lines are dnsmasq's alone: bpfdnsd refuses them),
# a bridge with the guests behind it, lo excepted
client_ns bpfdns-g$$ bpfdns-vnet0 192.168.122.50/24
ip link add bpfdns-virbr0 type bridge
ip link set bpfdns-vnet0 master bpfdns-virbr0
ip addr add 192.168.122.1/24 dev bpfdns-virbr0
ip link set bpfdns-virbr0 up
echo "192.168.122.50 guest1.example" >"$tmp/default.addnhosts"
cat >"$tmp/default.conf" <<CONF
##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:
##    virsh net-edit default
## or other application using the libvirt API.
##
## dnsmasq conf file created by libvirt
strict-order
pid-file=$tmp/default.pid
except-interface=lo
bind-dynamic
interface=bpfdns-virbr0
addn-hosts=$tmp/default.addnhosts
CONF
daemon libvirt -C "$tmp/default.conf" --no-resolv --server=127.0.0.3#5353 || e2e_exit
check "libvirt's network: listening on the bridge's address" "cat $dlog" "listening on 192.168.122.1#53"
check_not "... not on lo's (except-interface=lo)" "cat $dlog" "listening on 127.0.0.1"
check "... the fast path on the bridge" "cat $dlog" "fast path attached to bpfdns-virbr0 (xdp)"
check_not "... and not on lo" "cat $dlog" "fast path attached to lo"
g() { ip netns exec bpfdns-g$$ dig +tries=1 +time=2 @192.168.122.1 "$@" +short; }
check "... a guest gets the addn-hosts name" "g guest1.example A" "192.168.122.50"
g c.libvirt.test A >/dev/null
h0=$(kstat hit)
n=0
for _ in $(seq 10); do g c.libvirt.test A | grep -qx 192.0.2.3 && n=$((n + 1)); done
ok "... and its cached lookups, 10 of 10, from the kernel ($(($(kstat hit) - h0)) hits)" \
	test "$n" = 10 -a "$(($(kstat hit) - h0))" = 10
stop_daemon
e2e_exit
