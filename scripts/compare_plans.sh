#!/usr/bin/env bash
# Compiles every spec in specs/ and examples/ with two ynet binaries and compares the saved plans
# byte for byte (train and infer, fp32 and int8), plus the text, summary and json emitters.
# A refactoring of the compiler or the op library must leave every plan as it was:
#   scripts/compare_plans.sh OLD_YNET NEW_YNET
set -euo pipefail
old=$1 new=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$(dirname "$0")/.."
plans=0 differ=0
for spec in specs/*.ynet examples/*.ynet; do
  for mode in train infer; do
    for precision in fp32 int8; do
      [[ $mode == train && $precision == int8 ]] && continue
      args=(compile "$spec" --mode "$mode" --precision "$precision" --batch 8)
      name=$(basename "$spec" .ynet).$mode.$precision
      "$old" "${args[@]}" --emit proto -o "$work/$name.old.pb" >/dev/null 2>&1 || { echo "old binary cannot compile $name"; continue; }
      "$new" "${args[@]}" --emit proto -o "$work/$name.new.pb" >/dev/null
      plans=$((plans + 1))
      if ! cmp -s "$work/$name.old.pb" "$work/$name.new.pb"; then
        echo "DIFFERS: $name (proto)"; differ=$((differ + 1)); continue
      fi
      for emit in text summary json; do
        if ! cmp -s <("$old" "${args[@]}" --emit $emit 2>&1) <("$new" "${args[@]}" --emit $emit 2>&1); then
          echo "DIFFERS: $name ($emit)"; differ=$((differ + 1))
        fi
      done
    done
  done
done
echo "$plans plans compared, $differ differ"
[[ $differ == 0 ]]
