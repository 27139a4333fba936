#!/usr/bin/env bash
# Runs on a GPU machine, from a copy of the repository with gpu-bundle/ (bench/gpu/bundle.sh) in it:
#   1. prints the GPU (nvidia-smi) and where it finds cuBLAS, cuBLASLt and cuDNN (/usr/local/cuda,
#      or the nvidia/*/lib folders of the Python packages PyTorch installs);
#   2. `ynet verify --backend cuda` for every spec in specs/ at tiny sizes, in fp32 and in tf32;
#   3. the CUDA tests;
#   4. `ynet bench --backend cuda` for BoF_4096 (batch 512), Simple_LSTM_2048 (256) and
#      LSTM_MoE_512 (128), in tf32 and fp32;
#   5. bench/pytorch/compare.py --device cuda, when it is there;
# then prints a table of it all. Exits 1 when a check fails. Name phases to run only those, to split
# the work over several shorter runs:
#   bench/gpu/run.sh [verify] [tests] [bench] [pytorch]
set -uo pipefail

phases=("$@")
(( ${#phases[@]} )) || phases=(verify tests bench pytorch)
want() { [[ " ${phases[*]} " == *" $1 "* ]]; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="$root/gpu-bundle"
cd "$root"
if [[ ! -x "$bundle/bin/ynet" ]]; then
  echo "run.sh: no $bundle/bin/ynet; make the bundle with bench/gpu/bundle.sh first" >&2
  exit 1
fi

echo "== GPU"
nvidia-smi || echo "nvidia-smi failed"

echo "== CUDA libraries"
candidates=(/usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib)
while read -r dir; do [[ -n "$dir" ]] && candidates+=("$dir"); done < <(python3 - 2>/dev/null <<'PY'
import glob, os
try:
    import nvidia
except ImportError:
    raise SystemExit
for base in nvidia.__path__:
    for lib in sorted(glob.glob(os.path.join(base, "*", "lib"))):
        print(lib)
PY
)
libdirs=""
for lib in libcublas.so.13 libcublasLt.so.13 libcudnn.so.9; do
  found=""
  for dir in "${candidates[@]}"; do
    if [[ -e "$dir/$lib" ]]; then found="$dir"; break; fi
  done
  echo "$lib: ${found:-not found}"
  [[ -n "$found" && ":$libdirs:" != *":$found:"* ]] && libdirs="$libdirs:$found"
done
libpath="$bundle/lib$libdirs"
# ynet itself links no CUDA library; the backend module it loads does.
if LD_LIBRARY_PATH="$libpath" ldd "$bundle/bin/ynet" "$bundle/lib/libynet_cuda_backend.so" | grep "not found"; then
  echo "run.sh: the libraries above are missing" >&2
  exit 1
fi

# The binary with its libraries, for everything below (Python keeps its own environment).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ynet="$work/ynet"
printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$libpath" "$bundle/bin/ynet" > "$ynet"
chmod +x "$ynet"

failed=0
summary=()

# The sizes the CPU tests verify at (tests/runtime, tests/cuda), per spec.
verify_args() {
  case "$(basename "$1" .ynet)" in
    bof_4096) echo "--set fc=12 --batch 4 --frames 5" ;;
    simple_lstm_*) echo "--set hidden=6 --batch 3 --frames 4" ;;
    lstm_moe_512*) echo "--set hidden=6 --set experts=4 --set expert_units=8 --batch 3 --frames 3" ;;
    logistic | moe) echo "--set classes=40 --batch 4" ;;
    frame_level_logistic) echo "--set classes=40 --batch 3 --frames 5" ;;
    dbof) echo "--set cluster_size=16 --set hidden_size=8 --set classes=40 --batch 3 --frames 5" ;;
    lstm_model) echo "--set lstm_cells=6 --set classes=40 --batch 3 --frames 4" ;;
    *) echo "--batch 3 --frames 4" ;;
  esac
}

want verify && echo "== ynet verify --backend cuda"
want verify && for spec in specs/*.ynet; do
  for precision in fp32 tf32; do
    # shellcheck disable=SC2046
    output="$("$ynet" verify "$spec" --backend cuda --precision "$precision" $(verify_args "$spec") 2>&1)"
    status=$?
    echo "$output" | grep -E "FAIL|failed|error" | sed "s|^|$spec $precision: |"
    worst="$(echo "$output" | awk '/ (loss|gradient|output) +[0-9]/ { if ($(NF-2) + 0 > w) w = $(NF-2) + 0 } END { printf "%.1e", w }')"
    result=$([[ $status == 0 ]] && echo ok || echo FAIL)
    [[ $status == 0 ]] || failed=1
    summary+=("$(printf 'verify  %-40s %-5s %-5s worst %s' "$(basename "$spec")" "$precision" "$result" "$worst")")
  done
done

if want tests; then
  echo "== CUDA tests"
  # backend_ops runs every step of every spec's plans on the GPU against the reference, kernel by
  # kernel, and prints a table per failing plan naming the first wrong kernel.
  for test in cuda_backend backend_ops; do
    if LD_LIBRARY_PATH="$libpath" YNET_BINARY="$ynet" "$bundle/tests/$test"; then
      summary+=("$(printf 'tests   %-40s ok' "$test")")
    else
      failed=1
      summary+=("$(printf 'tests   %-40s FAIL' "$test")")
    fi
  done
fi

want bench && echo "== ynet bench --backend cuda"
want bench && for run in "bof_4096 512" "simple_lstm_2048 256" "lstm_moe_512 128"; do
  read -r name batch <<< "$run"
  for precision in tf32 fp32; do
    output="$("$ynet" bench "specs/$name.ynet" --backend cuda --precision "$precision" --batch "$batch" --steps 20 \
      --warmup 3 2>&1)"
    status=$?
    echo "$output"
    if [[ $status != 0 ]]; then
      failed=1
      summary+=("$(printf 'bench   %-22s batch %-4s %-5s FAIL' "$name" "$batch" "$precision")")
      continue
    fi
    training="$(echo "$output" | awk '$1 == "training" { printf "%s samples/s %s GFLOP/s", $2, $4 }')"
    inference="$(echo "$output" | awk '$1 == "inference" && $3 == "samples/s" { printf "%s samples/s", $2 }')"
    summary+=("$(printf 'bench   %-22s batch %-4s %-5s train %s; inference %s' "$name" "$batch" "$precision" \
      "$training" "$inference")")
  done
done

want pytorch && echo "== PyTorch comparison"
if ! want pytorch; then
  :
elif [[ -f bench/pytorch/compare.py ]]; then
  if python3 bench/pytorch/compare.py --device cuda --ynet "$ynet"; then
    summary+=("pytorch bench/pytorch/compare.py --device cuda   ok")
  else
    failed=1
    summary+=("pytorch bench/pytorch/compare.py --device cuda   FAIL")
  fi
else
  echo "skipped: bench/pytorch/compare.py is not in this copy"
fi

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
