#!/usr/bin/env bash
# How fast `ynet eval` runs BoF_4096 (specs/bof_4096.ynet, the paper's Bag-of-Frames) over
# 300-frame YouTube-8M-format records, against how fast the same files come off this machine's disk:
#   disk   the records read cold (page cache dropped first): buffered, the way ynet reads them
#          (cat), and with O_DIRECT in 16 MiB blocks (dd), the most the device gives
#   eval   `ynet eval` in fp32 and with --precision int8: warm (files in the page cache) and cold
#          (page cache dropped first); cold also with --no-direct-reads, every read through the
#          page cache; rounds alternate, and the medians are reported
# Dropping the page cache needs root (/proc/sys/vm/drop_caches); without it the cold rows are left
# out and the table says so. The model is untrained (2 steps): speed does not depend on the weights.
#
# usage: bench/inference/run.sh [YNET] [OUT_DIR]      (defaults: build/cli/ynet, out/inference)
#   INFER_VIDEOS=12000   videos in the set (351 KB each: 12,000 make 4.2 GB in OUT_DIR/data)
#   INFER_ROUNDS=3       rounds (each: a warm eval per precision; a cold cat, dd and eval per precision)
#   INFER_THREADS        --threads of ynet eval (default: every core)
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ynet=$(realpath -m "${1:-$root/build/cli/ynet}")
out=$(realpath -m "${2:-$root/out/inference}")
videos=${INFER_VIDEOS:-12000}
rounds=${INFER_ROUNDS:-3}
threads=${INFER_THREADS:+--threads $INFER_THREADS}
[[ -x $ynet ]] || { echo "run.sh: $ynet is not an executable (build it with: make build)" >&2; exit 2; }
[[ $videos =~ ^[0-9]+$ && $videos -ge 512 ]] || { echo "run.sh: INFER_VIDEOS must be at least 512" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: INFER_ROUNDS must be a positive number" >&2; exit 2; }
mkdir -p "$out"
cd "$root"

can_drop=false
if [[ -w /proc/sys/vm/drop_caches ]]; then can_drop=true; fi
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }

data=$out/data
if [[ ! -f $data/valid0000.tfrecord || $(cat "$data/videos" 2>/dev/null) != "$videos" ]]; then
  echo "== making $videos videos of 300 frames in $data"
  rm -rf "$data"
  "$ynet" make-data --out "$data" --videos "$videos" --classes 4716 --frames 300:300 --split 0:100:0 --shards 8 \
    --seed 5 > /dev/null
  echo "$videos" > "$data/videos"
fi
files=("$data"/valid*.tfrecord)
bytes=$(cat "${files[@]}" | wc -c)
run=$out/run
if [[ ! -d $run/checkpoints ]]; then
  echo "== a BoF_4096 run directory (2 training steps) in $run"
  "$ynet" train specs/bof_4096.ynet --set id_key=id --train "${files[0]}" --out "$run" --steps 2 --force > /dev/null
fi

# Prints "MB/s" of reading every file: buffered (cat) or direct (dd, O_DIRECT).
read_rate() {
  local mode=$1 start end
  start=$(now)
  if [[ $mode == buffered ]]; then
    cat "${files[@]}" > /dev/null
  else
    for f in "${files[@]}"; do dd if="$f" of=/dev/null bs=16M iflag=direct status=none; done
  fi
  end=$(now)
  awk -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", b / 1e6 / (e - s) }'
}

# Prints "videos/s MB/s" of one ynet eval run; the mode is a precision, with " buffered" for
# --no-direct-reads.
eval_rate() {
  local mode=$1 flags=()
  [[ $mode == *" buffered" ]] && flags=(--no-direct-reads)
  "$ynet" eval "$run" --data "$data/valid*.tfrecord" --precision "${mode%% *}" "${flags[@]}" $threads \
    --json "$out/eval.json" > /dev/null
  python3 - "$out/eval.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['videos_per_second']:.0f} {r['record_megabytes_per_second']:.0f}")
EOF
}

median() { sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs one ynet eval, prints its rates and appends them to the arrays named $3 (videos/s) and $4
# (MB/s), under the mode.
record_eval() {
  local label=$1 precision=$2 v m
  local -n videos_of=$3 mb_of=$4
  read -r v m < <(eval_rate "$precision")
  echo "   $label $precision: $v videos/s, $m MB/s"
  videos_of[$precision]+="$v"$'\n'
  mb_of[$precision]+="$m"$'\n'
}

declare -A warm_videos warm_mb
echo "== warm: $rounds rounds of ynet eval per precision, alternating"
cat "${files[@]}" > /dev/null  # brings the files into the page cache (ynet eval reads around it)
for ((i = 1; i <= rounds; ++i)); do
  for precision in fp32 int8; do record_eval "round $i" "$precision" warm_videos warm_mb; done
done

# The disk is timed in the same rounds as the cold evaluations, alternating, because a virtual
# disk's rate drifts from minute to minute.
declare -A cold_videos cold_mb
disk_buffered="" disk_direct=""
if $can_drop; then
  echo "== cold: $rounds rounds, page cache dropped before each read"
  for ((i = 1; i <= rounds; ++i)); do
    drop_caches; b=$(read_rate buffered)
    drop_caches; d=$(read_rate direct)
    echo "   round $i disk: cat $b MB/s, O_DIRECT $d MB/s"
    disk_buffered+="$b"$'\n'; disk_direct+="$d"$'\n'
    for mode in fp32 int8 "int8 buffered"; do
      drop_caches
      record_eval "round $i" "$mode" cold_videos cold_mb
    done
  done
fi
cold_rate() {  # the median cold rate of a precision, or why there is none
  if $can_drop; then
    echo "$(median <<<"${cold_videos[$1]}") videos/s, $(median <<<"${cold_mb[$1]}") MB/s"
  else
    echo "(needs root)"
  fi
}
disk_rate() { if $can_drop; then echo "$(median <<<"$1") MB/s"; else echo "(needs root)"; fi; }

{
  echo "BoF_4096 inference on $(nproc) cores: $videos videos of 300 frames ($((bytes / 1000000)) MB of records)"
  echo
  echo "| what | rate |"
  echo "|---|---|"
  echo "| disk, cold, buffered (cat; median of $rounds) | $(disk_rate "$disk_buffered") |"
  echo "| disk, cold, O_DIRECT 16 MiB blocks (dd; median of $rounds) | $(disk_rate "$disk_direct") |"
  for precision in fp32 int8; do
    echo "| ynet eval $precision, warm (median of $rounds) | $(median <<<"${warm_videos[$precision]}") videos/s, $(median <<<"${warm_mb[$precision]}") MB/s |"
    echo "| ynet eval $precision, cold (median of $rounds) | $(cold_rate "$precision") |"
  done
  echo "| ynet eval int8 --no-direct-reads, cold (median of $rounds) | $(cold_rate "int8 buffered") |"
} | tee "$out/results.md"
