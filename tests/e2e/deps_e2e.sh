#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# deps_e2e.sh - tools/install-deps waits for another apt (unattended
# upgrades on a freshly booted machine) instead of failing on its lock:
# dpkg's frontend lock is held for 4 s while it runs. Nothing is installed,
# updated or upgraded (INSTALL_DEPS_RECHECK). Touches no network.
set -u
name="install-deps and apt's lock"
if [ "$(id -u)" -ne 0 ]; then echo "SKIP $name: needs root; CI runs it as root"; exit 0; fi
command -v python3 >/dev/null || { echo "SKIP $name: python3 missing (it holds the lock)"; exit 0; }
lock=/var/lib/dpkg/lock-frontend
log=$(mktemp)
trap 'kill "$holder" 2>/dev/null; rm -f "$log"' EXIT
# apt and dpkg lock with fcntl (not flock): hold it the same way
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(4)' "$lock" >"$log" &
holder=$!
for _ in $(seq 50); do grep -q held "$log" && break; sleep 0.1; done
start=$(date +%s%N)
out=$(INSTALL_DEPS_RECHECK=1 "$(dirname "$0")/../../tools/install-deps" build 2>&1)
rc=$?
took=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" -eq 0 ] && [ "$took" -ge 2000 ]; then
	echo "PASS $name: it waited for the lock (${took} ms) and succeeded"
else
	echo "FAIL $name: exit $rc after ${took} ms (want 0, after waiting):"
	echo "$out" | tail -5
	exit 1
fi
