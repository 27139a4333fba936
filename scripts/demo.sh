#!/usr/bin/env bash
# The demo behind `make demo`: a synthetic YouTube-8M-format dataset, a small Bag-of-Frames and a
# small Simple_LSTM trained on it on the CPU (1,000 steps each, under a minute apiece on 2 cores),
# both evaluated in float and in int8, predictions and the plan picture written, and a table of
# the results. Everything lands in demo/.
set -euo pipefail
ynet=${1:?usage: demo.sh PATH_TO_YNET}
out=demo
mkdir -p "$out"

echo "== 1. synthetic data (YouTube-8M frame-level format, 50 classes)"
"$ynet" make-data --out "$out/data" --videos 20000 --classes 50 --frames 40:90 --shards 4 --seed 7
"$ynet" stats "$out/data/train*.tfrecord" --plot "$out/label_counts.svg" --counts "$out/label_counts.csv" | tail -n 8

# A number from one of ynet's JSON files.
field() { sed -E "s/.*\"$1\": ([0-9.eE+-]+).*/\\1/" "$2"; }

declare -A hit gap gap8 rate speed speed8
for model in bof_small lstm_small; do
  echo
  echo "== 2. $model: check, plan, train, evaluate, predict"
  "$ynet" check "examples/$model.ynet" | tail -n 4
  "$ynet" compile "examples/$model.ynet" --emit dot -o "$out/$model.plan.dot"
  if command -v dot >/dev/null; then dot -Tsvg "$out/$model.plan.dot" -o "$out/$model.plan.svg"; fi
  "$ynet" train "examples/$model.ynet" --train "$out/data/train*.tfrecord" --valid "$out/data/valid*.tfrecord" \
      --out "$out/runs/$model" --force --steps 1000 --eval-every 250 | tee "$out/$model.train.log" | grep -v '^step' || true
  "$ynet" eval "$out/runs/$model" --data "$out/data/valid*.tfrecord" --json "$out/$model.eval.json"
  "$ynet" eval "$out/runs/$model" --data "$out/data/valid*.tfrecord" --json "$out/$model.eval.int8.json" --precision int8 \
      > "$out/$model.eval.int8.txt"
  head -n 1 "$out/$model.eval.int8.txt"
  "$ynet" predict "$out/runs/$model" --data "$out/data/test*.tfrecord" -o "$out/$model.predictions.csv"
  hit[$model]=$(field hit_at_1 "$out/$model.eval.json")
  gap[$model]=$(field gap "$out/$model.eval.json")
  speed[$model]=$(field videos_per_second "$out/$model.eval.json")
  gap8[$model]=$(field gap "$out/$model.eval.int8.json")
  speed8[$model]=$(field videos_per_second "$out/$model.eval.int8.json")
  rate[$model]=$(sed -nE 's/^trained .*: ([0-9.]+) samples\/s.*/\1/p' "$out/$model.train.log")
done

echo
echo "== results on the synthetic validation set (CPU, $(nproc) cores)"
printf '%-12s %8s %8s %16s %16s %10s %16s\n' model Hit@1 GAP "train samples/s" "eval videos/s" "GAP int8" "int8 videos/s"
for model in bof_small lstm_small; do
  printf '%-12s %8.4f %8.4f %16s %16.0f %10.4f %16.0f\n' "$model" "${hit[$model]}" "${gap[$model]}" "${rate[$model]}" \
    "${speed[$model]}" "${gap8[$model]}" "${speed8[$model]}"
done
echo "runs, plans (*.plan.svg), curves (runs/*/curves.svg) and predictions are in $out/"
