#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the .wmm parser fuzz target with clang-14 (libFuzzer + ASan + UBSan) and runs it for
# ${FUZZ_SECONDS:-60} s on a freshly generated seed corpus.
# Usage: run-fuzz.sh SEED_GENERATOR [WORKDIR]
set -eu

seeds_tool=$1
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=${2:-${WAYMARK_BUILD_ROOT:-$src/_build}/fuzz-model}
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang-14}

mkdir -p "$work/corpus" "$work/seeds"
"$seeds_tool" "$work/seeds"

"$cc" -g -O1 -std=c99 -ffp-contract=off \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$src/inference" \
  "$here/fuzz-model.c" "$src"/inference/wm-*.c \
  -o "$work/fuzz-model"

cd "$work"
exec ./fuzz-model -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus seeds
