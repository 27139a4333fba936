#!/usr/bin/env bash
# The demo behind `make demo`: a synthetic YouTube-8M-format dataset, a small Bag-of-Frames and a
# small Simple_LSTM trained on it on the CPU, both evaluated, predictions and the plan picture
# written, and a table of the results. Everything lands in demo/.
set -euo pipefail
ynet=${1:?usage: demo.sh PATH_TO_YNET}
out=demo
mkdir -p "$out"

echo "== 1. synthetic data (YouTube-8M frame-level format, 50 classes)"
"$ynet" make-data --out "$out/data" --videos 6000 --classes 50 --frames 40:90 --shards 4 --seed 7
"$ynet" stats "$out/data/train*.tfrecord" --plot "$out/label_counts.svg" --counts "$out/label_counts.csv" | tail -n 8

declare -A hit gap rate
for model in bof_small lstm_small; do
  echo
  echo "== 2. $model: check, plan, train, evaluate, predict"
  "$ynet" check "examples/$model.ynet" | tail -n 4
  "$ynet" compile "examples/$model.ynet" --emit dot -o "$out/$model.plan.dot"
  if command -v dot >/dev/null; then dot -Tsvg "$out/$model.plan.dot" -o "$out/$model.plan.svg"; fi
  "$ynet" train "examples/$model.ynet" --train "$out/data/train*.tfrecord" --valid "$out/data/valid*.tfrecord" \
      --out "$out/runs/$model" --force | tee "$out/$model.train.log" | grep -v '^step' || true
  "$ynet" eval "$out/runs/$model" --data "$out/data/valid*.tfrecord" --json "$out/$model.eval.json"
  "$ynet" predict "$out/runs/$model" --data "$out/data/test*.tfrecord" -o "$out/$model.predictions.csv"
  json=$(cat "$out/$model.eval.json")
  hit[$model]=$(sed -E 's/.*"hit_at_1": ([0-9.eE+-]+).*/\1/' <<<"$json")
  gap[$model]=$(sed -E 's/.*"gap": ([0-9.eE+-]+).*/\1/' <<<"$json")
  rate[$model]=$(sed -nE 's/^trained .*: ([0-9.]+) samples\/s.*/\1/p' "$out/$model.train.log")
done

echo
echo "== results on the synthetic validation set (CPU, $(nproc) cores)"
printf '%-12s %8s %8s %14s\n' model Hit@1 GAP "train samples/s"
for model in bof_small lstm_small; do
  printf '%-12s %8.4f %8.4f %14s\n' "$model" "${hit[$model]}" "${gap[$model]}" "${rate[$model]}"
done
echo "runs, plans (*.plan.svg), curves (runs/*/curves.svg) and predictions are in $out/"
