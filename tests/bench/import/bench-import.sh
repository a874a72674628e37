#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Import of one hour of 48 kHz mono 16-bit audio, as WAV and as FLAC, against
# two floors measured on the same machine in the same run:
#   WAV:  dd of the same byte count with conv=fdatasync (the synced write)
#   FLAC: sox FILE -n (decode only)
# and the peak resident memory while importing a two-hour file.
#
#   bench-import.sh IMPORT_DRIVER [MINUTES]      (MINUTES defaults to 60)
#
# Every figure is the median of RUNS runs (default 3; the disk of a virtual
# machine is noisy).  Prints figures and ratios; asserts nothing about time.

set -euo pipefail

driver=${1:?usage: bench-import.sh IMPORT_DRIVER [MINUTES]}
minutes=${2:-60}
runs=${RUNS:-3}
seconds=$((minutes * 60))

work=$(mktemp -d "${TMPDIR:-/var/tmp}/waymark-bench-import-XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Seconds a command takes (its output discarded).
time_s() {
  local t0
  t0=$(now)
  "$@" > /dev/null
  diff_s "$t0" "$(now)"
}

dd_once() {
  local t
  sync
  t=$(time_s dd if=/dev/zero of="$work/dd.out" bs=1M count=$(((wav_bytes + 1048575) / 1048576)) \
        conv=fdatasync status=none)
  rm -f "$work/dd.out"
  echo "$t"
}

# Seconds from the start of the import to its commit, in a fresh project
# (in directory $2 when given).
import_once() {
  local project="${2:-$work}/waymark-bench-$$.waymark" t
  rm -f "$project"*
  sync
  t=$("$driver" "$project" "$1" | awk '$1 == "FILE" { print $4 }')
  rm -f "$project"*
  echo "$t"
}

repeat() {
  local values=() i
  for ((i = 0; i < runs; i++)); do
    values+=("$("$@")")
  done
  median "${values[@]}"
}

# Noise plus a tone: FLAC cannot shrink it much, like real field recordings.
sox -R -n -r 48000 -c 1 -b 16 "$work/hour.wav" \
  synth "$seconds" pinknoise synth "$seconds" sine mix 440 gain -3
sox -R "$work/hour.wav" "$work/hour.flac"
wav_bytes=$(stat -c %s "$work/hour.wav")
flac_bytes=$(stat -c %s "$work/hour.flac")
sync

# The synced-write floor: the same number of bytes, written and fdatasync'd.
dd_s=$(repeat dd_once)
# The decode floor (input files are in the page cache for every run).
sox_wav_s=$(repeat time_s sox "$work/hour.wav" -n)
sox_flac_s=$(repeat time_s sox "$work/hour.flac" -n)
# Hashing alone, for reference: the import computes the source's SHA-256.
sha_s=$(repeat time_s sha256sum "$work/hour.wav")
wav_import_s=$(repeat import_once "$work/hour.wav")
flac_import_s=$(repeat import_once "$work/hour.flac")
# The same import with the project in RAM: what decoding, hashing and the
# store cost without the disk.
ram_import_s=n/a
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  ram_import_s=$(repeat import_once "$work/hour.wav" /dev/shm)
fi

# Memory stays bounded however long the file: import two hours.
sox "$work/hour.wav" "$work/hour.wav" "$work/two-hours.wav"
rm -f "$work/hwm.waymark"*
hwm_kib=$("$driver" "$work/hwm.waymark" "$work/two-hours.wav" | awk '$1 == "TOTAL" { print $5 }')
rm -f "$work/hwm.waymark"* "$work/two-hours.wav"

printf 'import of %d min of 48 kHz mono 16-bit audio\n' "$minutes"
printf '  WAV  %6.1f MB: import %7s s | dd conv=fdatasync %7s s -> ratio %s (goal <= 1.5) | sox -n %s s\n' \
  "$(awk -v b="$wav_bytes" 'BEGIN { print b / 1e6 }')" "$wav_import_s" "$dd_s" \
  "$(ratio "$wav_import_s" "$dd_s")" "$sox_wav_s"
printf '  FLAC %6.1f MB: import %7s s | sox -n %7s s -> ratio %s (goal <= 1.5) | vs dd %s\n' \
  "$(awk -v b="$flac_bytes" 'BEGIN { print b / 1e6 }')" "$flac_import_s" "$sox_flac_s" \
  "$(ratio "$flac_import_s" "$sox_flac_s")" "$(ratio "$flac_import_s" "$dd_s")"
printf '  WAV import with the project in /dev/shm: %s s | sha256sum of the WAV: %s s\n' \
  "$ram_import_s" "$sha_s"
printf '  (every figure the median of %d runs; load average %s)\n' "$runs" \
  "$(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '  peak RSS (VmHWM) importing %d min: %d MiB (goal < 100 MiB)\n' \
  "$((minutes * 2))" "$((hwm_kib / 1024))"
