#!/usr/bin/env bash
# On a Linux x86-64 GPU machine with neither Node nor a browser: unpacks .device-kit/kit.tar.xz
# (made here by `npm run bench:device-kit`) and runs the benchmark's Node engines on the GPU
# (TensorFlow.js WebGPU through Dawn on Vulkan). Run from the repository root:
#
#   bash bench/device/run.sh OUT_DIR [bench options...]
#
# Without bench options it runs the issue's targets: LinkNet34 at 320x800, inference at batch 1
# and 4 (predict and folded) and training at batch 8, with the studio's WebGPU kernels and with
# TensorFlow.js's own. Writes OUT_DIR/device-bench.json and .md, and OUT_DIR/device.txt (GPU, driver, Vulkan).
set -euo pipefail
out=${1:?usage: bash bench/device/run.sh OUT_DIR [bench options...]}
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
kit=${DEVICE_KIT_DIR:-/tmp/studio-device-kit}
archive=.device-kit/kit.tar.xz
[ -f "$archive" ] || { echo "error: $archive missing: run npm run bench:device-kit and carry .device-kit" >&2; exit 1; }

rm -rf "$kit" && mkdir -p "$kit"
if command -v xz >/dev/null; then tar -C "$kit" -xJf "$archive"
else python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$kit"; fi

# Vulkan: each of the kit's libraries (loader, GL dispatch) only where the system lacks it; the
# GPU's driver manifest where the loader does not find one by itself.
missing="$kit/missing-lib"
rm -rf "$missing" && mkdir -p "$missing"
known=$(PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null || true)
for f in "$kit"/lib/*.so.*; do
  name=$(basename "$f")
  grep "[[:space:]]$name " <<<"$known" >/dev/null || ln -s "$f" "$missing/$name"
done
if [ -n "$(ls -A "$missing")" ]; then export LD_LIBRARY_PATH="$missing${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
# The NVIDIA driver's own libraries (the manifest names libGLX_nvidia.so.0), where the driver is
# mounted outside the linker's search path.
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d "$d" ]; then export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"; fi
done
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_ICD_FILENAMES="$f"; break; fi
  done
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "node: $("$kit/bin/node" --version)"
  echo "VK_ICD_FILENAMES: ${VK_ICD_FILENAMES:-(loader default)}"
  echo "LD_LIBRARY_PATH: ${LD_LIBRARY_PATH:-} ($(ls "$missing" | tr '\n' ' '))"
  if [ -n "${VK_ICD_FILENAMES:-}" ] && [ -f "$VK_ICD_FILENAMES" ]; then echo "manifest: $(tr -d '\n ' < "$VK_ICD_FILENAMES")"; fi
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || echo "nvidia-smi: not found"
  nproc
} | tee "$out/device.txt"

if [ $# -eq 0 ]; then
  set -- --node-backends webgpu,webgpu-builtin --browser none --encoders resnet34 --sizes 320x800 --gpu-sizes 320x800 \
    --infer-batches 1,4 --train-sizes 320x800 --train-batches 8 --runs 10 --budget 10
fi
cd "$kit"
exec timeout "${DEVICE_BENCH_TIMEOUT:-540}" ./bin/node bench/run.mjs "$@" --out "$out/device-bench.json"
