#!/usr/bin/env bash
# Builds ynet with the CUDA backend (Release) on a machine with the CUDA toolkit, and gathers what a
# GPU machine needs to run it into gpu-bundle/ at the repository root (ignored by git):
#   bin/ynet          the stripped binary
#   tests/            the stripped CUDA test binaries
#   lib/              the shared libraries they link that a GPU machine may lack (oneDNN, the ANTLR
#                     runtime, protobuf, fmt, libgomp, ...), not the CUDA libraries (cuBLAS,
#                     cuBLASLt, cuDNN, which the GPU machine has) nor glibc and the compiler's runtime
# and checks that the bundle stays under 60 MiB. Then, on the GPU machine, bench/gpu/run.sh.
#   bench/gpu/bundle.sh [BUILD_DIR]        (default: build-cuda)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build-cuda}"
bundle="$root/gpu-bundle"
limit_mib=60

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DYNET_CUDA=ON
cmake --build "$build" -j "${JOBS:-2}" --target ynet cuda_backend backend_ops

rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/tests" "$bundle/lib"
install -m 755 "$build/cli/ynet" "$bundle/bin/ynet"
install -m 755 "$build/tests/cuda/cuda_backend" "$bundle/tests/cuda_backend"
install -m 755 "$build/tests/backend/backend_ops" "$bundle/tests/backend_ops"
# The CUDA backend is a module ynet loads on use; bin/ and tests/ find it in ../lib.
install -m 755 "$build/cli/libynet_cuda_backend.so" "$bundle/lib/libynet_cuda_backend.so"
strip "$bundle/bin/ynet" "$bundle/tests/"* "$bundle/lib/libynet_cuda_backend.so"

# Libraries the GPU machine provides itself: the CUDA ones (same major versions as the build's),
# the C library family and the compiler runtime (newer there than here is fine; older would not be).
provided='^(libcuda|libcudart|libcublas|libcublasLt|libcudnn|libnvrtc|libnvJitLink|libc|libm|libdl|librt|libpthread|libresolv|ld-linux-x86-64|libstdc\+\+|libgcc_s)\.so'
for binary in "$bundle/bin/ynet" "$bundle/tests/"* "$bundle/lib/libynet_cuda_backend.so"; do
  ldd "$binary" | awk '/=> \// { print $3 }'
done | sort -u | while read -r lib; do
  if ! basename "$lib" | grep -Eq "$provided"; then cp -L "$lib" "$bundle/lib/"; fi
done

size_kib=$(du -sk "$bundle" | cut -f1)
echo "gpu-bundle: $((size_kib / 1024)) MiB"
ls -l "$bundle/bin" "$bundle/tests" "$bundle/lib"
if (( size_kib > limit_mib * 1024 )); then
  echo "bundle.sh: the bundle is larger than $limit_mib MiB" >&2
  exit 1
fi
