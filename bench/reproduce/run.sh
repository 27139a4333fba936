#!/usr/bin/env bash
# Reproduces the paper's experiments at reduced scale (docs/REPRODUCTION.md explains every number):
#   specs      parameters, FLOPs per sample and peak training memory of every spec in specs/ at its
#              batch (pure compilation, seconds)
#   synthetic  a synthetic YouTube-8M set, then BoF, Simple_LSTM and LSTM_MoE (examples/*_small),
#              Simple_LSTM and BoF without skipping the first frames, Simple_LSTM with the balanced loss
#   real       video-level Logistic and MoE on the YouTube-8M v2 shards, BoF and Simple_LSTM on
#              AudioSet frame-level embeddings (../shared/data)
#   bench      (not run by default: about 20 minutes on 2 cores) `ynet bench` of every spec at its
#              batch, specs over 1 GFLOP per sample (the LSTMs, DBoF) at 20 frames
# then OUT_DIR/results.md and OUT_DIR/results.json (bench/reproduce/report.py).
#
# usage: bench/reproduce/run.sh [YNET] [OUT_DIR]      (defaults: build/cli/ynet, repro/)
#   REPRO_PARTS="specs synthetic real bench"  which parts to run (default: specs synthetic real);
#                                             results.md covers every part found in OUT_DIR
#   REPRO_SEED=7                              seed of the data and of every training run
#   REPRO_DATA=../shared/data                 the real data, relative to the repository root
# Runs from the repository root whatever the current directory. Equal seeds give equal metrics;
# the speeds depend on the machine and on what else runs on it.
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ynet=$(realpath -m "${1:-$root/build/cli/ynet}")
out=${2:-$root/repro}
mkdir -p "$out"
out=$(cd "$out" && pwd)
out_abs=$out
# Paths relative to the repository root keep the report free of this machine's directories.
out=$(realpath --relative-to="$root" "$out")
parts=${REPRO_PARTS:-specs synthetic real}
seed=${REPRO_SEED:-7}
data_root=${REPRO_DATA:-../shared/data}
for part in $parts; do
  [[ $part =~ ^(specs|synthetic|real|bench)$ ]] ||
    { echo "run.sh: REPRO_PARTS: unknown part '$part' (specs, synthetic, real, bench)" >&2; exit 2; }
done
cd "$root"
[[ -x $ynet ]] || { echo "run.sh: $ynet is not an executable (build it with: make build)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 is needed for the report" >&2; exit 2; }
# The report recomputes metrics to check ynet's; first check the code that recomputes them.
python3 "$root/bench/reproduce/test_reproduce.py" 2>/dev/null || {
  echo "run.sh: bench/reproduce/test_reproduce.py fails; run it for details" >&2
  exit 1
}

wants() { [[ " $parts " == *" $1 "* ]]; }
say() { printf '\n== %s\n' "$*"; }

run_specs() {
  say "specs: parameters, FLOPs per sample, peak training memory at the spec's batch"
  mkdir -p "$out/specs"
  for spec in specs/*.ynet; do
    local name
    name=$(basename "$spec" .ynet)
    "$ynet" compile "$spec" --emit json -o "$out/specs/$name.json"
    "$ynet" compile "$spec" --emit summary -o "$out/specs/$name.summary.txt"
    head -n 5 "$out/specs/$name.summary.txt"
  done
}

run_bench() {
  say "bench: CPU step times at each spec's batch (specs over 1 GFLOP per sample at 20 frames)"
  mkdir -p "$out/bench"
  for spec in specs/*.ynet; do
    local name per_sample frames=()
    name=$(basename "$spec" .ynet)
    "$ynet" compile "$spec" --emit json -o "$out/bench/$name.plan.json"
    per_sample=$(python3 -c 'import json, sys
plan = json.load(open(sys.argv[1]))
print(int(sum(plan["flops"][phase] for phase in ("forward", "loss", "backward")) / plan["batch"]))' \
      "$out/bench/$name.plan.json")
    rm "$out/bench/$name.plan.json"
    # At its full length such a spec takes minutes per step on a few cores (DBoF's arena at 300
    # frames is 42 GiB); 20 frames keep the batch and every matrix shape but the time axis, and
    # report.py scales the FLOP rate back to the spec's length.
    if ((per_sample > 1000000000)); then frames=(--frames 20); fi
    if ! "$ynet" bench "$spec" --steps 2 --warmup 1 "${frames[@]}" >"$out/bench/$name.txt" 2>&1; then
      echo "run.sh: ynet bench $spec ${frames[*]} failed:" >&2
    fi
    cat "$out/bench/$name.txt"
  done
}

# experiment GROUP NAME SPEC TRAIN EVAL COUNTS [ynet train options...]: train, evaluate on EVAL,
# write the top-20 predictions on EVAL, and list the run in GROUP/experiments.tsv for the report.
experiment() {
  local group=$1 name=$2 spec=$3 train=$4 eval=$5 counts=$6
  shift 6
  local dir=$out/$group start=$SECONDS
  echo "-- $group/$name: $spec $*"
  if ! "$ynet" train "$spec" --train "$train" --out "$dir/runs/$name" --force --seed "$seed" "$@" \
    >"$dir/$name.train.log" 2>&1; then
    tail -n 5 "$dir/$name.train.log" >&2
    echo "run.sh: training $group/$name failed (log: $dir/$name.train.log)" >&2
    exit 1
  fi
  grep -E '^(training|trained) ' "$dir/$name.train.log"
  "$ynet" eval "$dir/runs/$name" --data "$eval" --json "$dir/$name.eval.json" | tee "$dir/$name.eval.log"
  "$ynet" predict "$dir/runs/$name" --data "$eval" --top-k 20 -o "$dir/$name.predictions.csv" >/dev/null
  local settings=()
  for arg in "$@"; do [[ $arg == --counts || $arg == "$counts" ]] || settings+=("$arg"); done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$spec" "${settings[*]}" "$train" "$eval" \
    "${counts#"$out/"}" "$group/$name.train.log" "$group/$name.eval.json" "$group/$name.predictions.csv" \
    $((SECONDS - start)) >>"$dir/experiments.tsv"
}

# label_counts GLOB FILE [ynet stats options...]: the training set's label counts (for the balanced
# loss and for "share of predictions in the 10 most frequent classes").
label_counts() {
  local pattern=$1 file=$2
  shift 2
  "$ynet" stats "$pattern" --counts "$file" --plot "${file%.csv}.svg" "$@" | grep -E '^(videos|ratio|labels holding)'
}

run_synthetic() {
  say "synthetic: 6,000 videos, 50 classes, 40-120 frames (each opens with 10-20 frames of an unrelated class)"
  local dir=$out/synthetic data=$out/synthetic/data
  rm -rf "$dir"
  mkdir -p "$dir"
  : >"$dir/experiments.tsv"
  "$ynet" make-data --out "$data" --videos 6000 --classes 50 --frames 40:120 --shards 4 --seed "$seed"
  label_counts "$data/train*.tfrecord" "$dir/label_counts.csv" --classes 50
  local train="$data/train*.tfrecord" valid="$data/valid*.tfrecord" counts=$dir/label_counts.csv
  experiment synthetic bof_small examples/bof_small.ynet "$train" "$valid" "$counts"
  experiment synthetic bof_small_skip0 examples/bof_small.ynet "$train" "$valid" "$counts" --set skip_frames=0
  experiment synthetic lstm_small examples/lstm_small.ynet "$train" "$valid" "$counts"
  experiment synthetic lstm_small_skip0 examples/lstm_small.ynet "$train" "$valid" "$counts" --set skip_frames=0
  experiment synthetic lstm_small_bal examples/lstm_small_bal.ynet "$train" "$valid" "$counts" --counts "$counts"
  experiment synthetic lstm_moe_small examples/lstm_moe_small.ynet "$train" "$valid" "$counts"
  experiment synthetic netvlad_small examples/netvlad_small.ynet "$train" "$valid" "$counts"
  experiment synthetic nextvlad_small examples/nextvlad_small.ynet "$train" "$valid" "$counts"
}

run_real() {
  local yt8m=$data_root/yt8m_v2_video audioset=$data_root/audioset_v1 dir=$out/real
  if [[ ! -d $yt8m || ! -d $audioset ]]; then
    say "real: skipped, $data_root/yt8m_v2_video and $data_root/audioset_v1 are not here"
    return
  fi
  say "real: YouTube-8M v2 video level (train validate0000-0007, eval 0008-0009), AudioSet (train bal_train 0-2, eval 3)"
  rm -rf "$dir"
  mkdir -p "$dir"
  : >"$dir/experiments.tsv"
  local yt_train="$yt8m/validate000[0-7].tfrecord" yt_eval="$yt8m/validate000[89].tfrecord"
  local as_train="$audioset/bal_train-0000[0-2]-of-00004.tfrecord" as_eval="$audioset/bal_train-00003-of-00004.tfrecord"
  label_counts "$yt_train" "$dir/yt8m_label_counts.csv" --classes 3862
  label_counts "$as_train" "$dir/audioset_label_counts.csv" --classes 527 --id-key video_id
  experiment real logistic_video examples/logistic_video.ynet "$yt_train" "$yt_eval" "$dir/yt8m_label_counts.csv"
  experiment real moe_video_yt8m examples/moe_video_yt8m.ynet "$yt_train" "$yt_eval" "$dir/yt8m_label_counts.csv"
  experiment real audioset_bof examples/audioset_bof.ynet "$as_train" "$as_eval" "$dir/audioset_label_counts.csv"
  experiment real audioset_lstm examples/audioset_lstm.ynet "$as_train" "$as_eval" "$dir/audioset_label_counts.csv"
  experiment real audioset_netvlad examples/audioset_netvlad.ynet "$as_train" "$as_eval" "$dir/audioset_label_counts.csv"
  experiment real audioset_nextvlad examples/audioset_nextvlad.ynet "$as_train" "$as_eval" "$dir/audioset_label_counts.csv"
}

echo "ynet: $ynet; output: $out_abs; parts: $parts; seed $seed; $(nproc) cores"
begin=$SECONDS
wants specs && run_specs
wants bench && run_bench
wants synthetic && run_synthetic
wants real && run_real
say "report"
python3 "$root/bench/reproduce/report.py" "$out"
echo "wrote $out_abs/results.md and $out_abs/results.json in $((SECONDS - begin)) s"
