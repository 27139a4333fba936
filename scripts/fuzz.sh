#!/bin/sh
# Runs every libFuzzer binary in BUILD_DIR/fuzz/ for an equal share of SECONDS, seeded from
# tests/fuzz/corpus/<name>/ when present (frontend_fuzz also from specs/). Exits non-zero on the first finding; crash
# inputs are left in BUILD_DIR/fuzz/findings/.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS
set -eu
build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
seconds=${2:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)

targets=$(find "$build/fuzz" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
if [ -z "$targets" ]; then
  echo "fuzz.sh: no fuzz binaries in $build/fuzz (build the fuzz_targets target with -DYNET_FUZZ=ON)" >&2
  exit 1
fi
count=$(echo "$targets" | wc -l)
share=$((seconds / count))
[ "$share" -ge 1 ] || share=1
mkdir -p "$build/fuzz/findings"

for target in $targets; do
  name=$(basename "$target")
  corpus="$build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="$root/tests/fuzz/corpus/$name"
  if [ "$name" = frontend_fuzz ]; then
    find "$root/specs" -name '*.ynet' -exec cp {} "$corpus/" \;
  fi
  [ -d "$seeds" ] && cp "$seeds"/* "$corpus/" 2>/dev/null || true
  echo "fuzz.sh: $name for ${share}s"
  # Run from the source root: spec seeds include files relative to specs/.
  (cd "$root" && "$target" -max_total_time="$share" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$build/fuzz/findings/$name-" -print_final_stats=1 "$corpus")
done
echo "fuzz.sh: no findings"
