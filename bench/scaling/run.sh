#!/usr/bin/env bash
# Data-parallel training on one machine: samples/s of the paper's Simple_LSTM_2048 and BoF_4096
# (specs/) trained as one process with every core against N processes with cores/N threads each
# (`ynet train --workers N`), on the same synthetic YouTube-8M-format records, with the time the
# processes waited for the gradient all-reduce after the backward pass. Target: N processes reach
# at least 90% of the one-process rate (docs/scaling.md).
#
# usage: bench/scaling/run.sh [YNET] [OUT_DIR]      (defaults: build/cli/ynet, out/scaling)
#   SCALING_WORKERS=2     processes
#   SCALING_STEPS=4       training steps per run (the first, with the start-up, counts too)
#   SCALING_SPECS="simple_lstm_2048 bof_4096"
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ynet=$(realpath -m "${1:-$root/build/cli/ynet}")
out=$(realpath -m "${2:-$root/out/scaling}")
workers=${SCALING_WORKERS:-2}
steps=${SCALING_STEPS:-4}
specs=${SCALING_SPECS:-simple_lstm_2048 bof_4096}
cores=$(nproc)
[[ -x $ynet ]] || { echo "run.sh: $ynet is not an executable (build it with: make build)" >&2; exit 2; }
(( cores % workers == 0 )) || { echo "run.sh: $cores cores do not split over $workers processes" >&2; exit 2; }
mkdir -p "$out"
cd "$root"

# 1,024 videos of 110 frames (20 skipped, 90 kept), 4,716 classes: four batches of 256.
data=$out/data
if [[ ! -f $data/train0000.tfrecord ]]; then
  "$ynet" make-data --out "$data" --videos 1024 --classes 4716 --frames 110:110 --split 100:0:0 --shards 4 --seed 1 >/dev/null
fi

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $cores cores"
printf '%-18s %-28s %12s  %s\n' spec run samples/s "all-reduce"
for spec in $specs; do
  one=""
  for mode in one many; do
    if [[ $mode == one ]]; then args=(--threads "$cores"); label="1 process x $cores threads"
    else args=(--workers "$workers" --threads $((cores / workers))); label="$workers processes x $((cores / workers)) threads"; fi
    log=$out/$spec.$mode.log
    "$ynet" train "specs/$spec.ynet" --train "$data/train*.tfrecord" --out "$out/run.$spec.$mode" --force \
      --set id_key=id --steps "$steps" "${args[@]}" >"$log" 2>&1 || { echo "run.sh: $spec ($label) failed, see $log" >&2; exit 1; }
    rate=$(sed -n 's/.*: \([0-9.]*\) samples\/s, last loss.*/\1/p' "$log")
    reduce=$(sed -n 's/^gradient all-reduce: //p' "$log")
    if [[ $mode == one ]]; then one=$rate; else reduce="$reduce; $(awk -v a="$rate" -v b="$one" 'BEGIN{printf "%.0f%% of one process", 100*a/b}')"; fi
    printf '%-18s %-28s %12s  %s\n' "$spec" "$label" "$rate" "${reduce:--}"
  done
done
