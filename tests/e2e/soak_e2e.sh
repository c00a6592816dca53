#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# soak_e2e.sh - a short run of tools/soak (saturation with hits, misses and
# malformed messages; nothing lost, memory and fds bounded) with the normal
# build. `make soak` runs it for 60 s against an ASan/UBSan build.
exec "$(dirname "$0")/../../tools/soak" --seconds=5
