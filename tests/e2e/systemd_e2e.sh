#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# systemd_e2e.sh - the Type=notify handshake the unit relies on, against a
# NOTIFY_SOCKET listener (tests/upstream/notifylisten): READY=1 once
# bpfdnsd answers, RELOADING=1 and READY=1 around a SIGHUP, STOPPING=1 on
# the way out; an abstract socket name; still heard after user= dropped
# privileges (the socket is in a directory only root can enter); a
# NOTIFY_SOCKET no one listens on is a warning, never a failure.
# Re-executes itself under `unshare -n -m`.
set -u
. "$(dirname "$0")/../lib/e2e.sh"
e2e_init "systemd notify" dig

dig="dig +tries=1 +time=2 @127.0.0.1"
upstream 2
listen() { # PATH: a notify listener on PATH, what it hears in $tmp/notify.out
	: >"$tmp/notify.out"
	"$out/tests/upstream/notifylisten" "$1" >"$tmp/notify.out" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do
		{ [ "${1#@}" != "$1" ] || [ -S "$1" ]; } && break
		sleep 0.02
	done
	sleep 0.05
}
heard() { # LINE: wait up to 2 s for the listener to have heard it
	for _ in $(seq 100); do
		grep -qxF -- "$1" "$tmp/notify.out" && return 0
		sleep 0.02
	done
	return 1
}

listen "$tmp/notify.sock"
export NOTIFY_SOCKET=$tmp/notify.sock
daemon notify --no-resolv --server=127.0.0.2#5353 || e2e_exit
ok "READY=1 (with a STATUS line)" heard "READY=1 STATUS=answering"
check "... and by then it answers" "$dig ready.example.test A +short" "192.0.2.2"
ok "... told once" test "$(grep -c READY "$tmp/notify.out")" = 1
kill -HUP "$daemon"
ok "SIGHUP: RELOADING=1" heard "RELOADING=1"
ok "SIGHUP: READY=1 again once reloaded" heard "READY=1"
check_lines "SIGHUP: in that order" "cat $tmp/notify.out" "READY=1 STATUS=answering
RELOADING=1
READY=1"
stop_daemon
ok "stop: STOPPING=1, last" test "$(tail -1 "$tmp/notify.out")" = "STOPPING=1"

listen "@bpfdns-notify-$$"
export NOTIFY_SOCKET=@bpfdns-notify-$$
daemon abstract --no-resolv --server=127.0.0.2#5353 || e2e_exit
ok "an abstract socket name: READY=1" heard "READY=1 STATUS=answering"
stop_daemon

listen "$tmp/notify.sock"
export NOTIFY_SOCKET=$tmp/notify.sock
daemon nobody --no-resolv --server=127.0.0.2#5353 --user=nobody || e2e_exit
ok "user=nobody: READY=1, sent after privileges were dropped" heard "READY=1 STATUS=answering"
check "user=nobody: it answers" "$dig nobody.example.test A +short" "192.0.2.2"
stop_daemon
ok "user=nobody: STOPPING=1" heard "STOPPING=1"

export NOTIFY_SOCKET=$tmp/nobody-listens.sock
daemon deaf --no-resolv --server=127.0.0.2#5353 || e2e_exit
check "no listener: a warning that says so" "cat $dlog" "cannot reach systemd's notify socket"
check "no listener: it answers all the same" "$dig deaf.example.test A +short" "192.0.2.2"
stop_daemon
unset NOTIFY_SOCKET
e2e_exit
