#!/usr/bin/env bash
# GPU checks in one go on one CUDA GPU (a few minutes; docs/performance.md
# reports a measured run), from the repository root:
#   1. CUDA units: bf16-autocast training step finite; GPU KNN == CPU KNN
#   2. DDP with NCCL on 1 GPU (torchrun --nproc_per_node 1): queue all-gather,
#      parameters in sync
#   3. short pretraining + KNN localization at paper shapes (B=128, T=300,
#      2s-AGCN), with clips/s
#   4. benchmarks at paper shapes: pipeline vs step, train step (fp32 / bf16 /
#      compile), KNN bank memory
#
# Needs torch with CUDA and the plug-in's stack (`make install`). On a machine
# that has torch but cannot reach a package index, put the wheels of mmengine,
# mmcv-lite and mmaction2 (requirements/pinned.txt) in a folder: they are
# installed with --no-deps into a temporary folder put on PYTHONPATH, leaving
# the environment untouched.
#
#   bash benchmarks/gpu_check.sh              # on the GPU machine
#   GPU_CHECK_WHEELS=path/to/wheels bash benchmarks/gpu_check.sh   # default .whl/
#   GPU_CHECK_COMPILE=1 bash benchmarks/gpu_check.sh   # + torch.compile timing
#   bash benchmarks/gpu_check.sh --cpu-smoke  # dry run on a CPU, shrunk shapes
set -uo pipefail
cd "$(dirname "$0")/.."

# a failing check is reported and the others still run; the exit status
# counts the failures
FAILED=0
check() { "$@" || { echo "FAILED ($?): $*"; FAILED=$((FAILED + 1)); }; }

SMOKE=""
if [[ "${1:-}" == "--cpu-smoke" || "${GPU_CHECK_CPU_SMOKE:-0}" == "1" ]]; then
  SMOKE="--smoke"
fi

WHEELS="${GPU_CHECK_WHEELS:-.whl}"
if ! python3 -c 'import mmengine, mmaction' 2>/dev/null; then
  if [[ ! -d "$WHEELS" ]]; then
    echo "mmengine/mmaction2 are not importable: run 'make install', or set" \
      "GPU_CHECK_WHEELS to a folder of their wheels (no folder $WHEELS)" >&2
    exit 1
  fi
  SITE="$(mktemp -d)"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --upgrade --target "$SITE" "$WHEELS"/*.whl
  export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD:$PWD/benchmarks${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore

section() { echo; echo "=== $1 ($(date +%T)) ==="; }

if [[ -z "$SMOKE" ]]; then
  section "device"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
fi

section "units"
check python3 benchmarks/gpu_check.py units $SMOKE

section "ddp (1 process)"
check torchrun --standalone --nproc_per_node 1 benchmarks/gpu_check.py ddp $SMOKE

section "pretraining + KNN localization"
check python3 benchmarks/gpu_check.py runs $SMOKE

section "benchmarks"
if [[ -n "$SMOKE" ]]; then
  python3 benchmarks/bench_pipeline.py --clips 4 --batch 2 --steps 1 --warmup 0
  python3 benchmarks/bench_train_step.py --methods skeletonclr --batch 2 \
    --amp bf16 --steps 1 --warmup 0
  python3 benchmarks/bench_knn_memory.py --frames 100000 --capacity 20000 \
    --batch-frames 10000 --queries 128 --chunk-sizes 256 1024
else
  check python3 benchmarks/bench_pipeline.py --device cuda --clips 100
  # rows print as they finish; the timeouts keep a slow torch.compile from
  # eating the whole run
  timeout 150 python3 benchmarks/bench_train_step.py --device cuda \
    --amp bf16 --steps 5 --warmup 2 || echo "(stopped: $?)"
  if [[ "${GPU_CHECK_COMPILE:-0}" == "1" ]]; then  # opt-in: 1.5-2 min more
    timeout 180 python3 benchmarks/bench_train_step.py --device cuda \
      --methods skeletonclr --compile --steps 5 --warmup 2 || echo "(stopped: $?)"
  fi
  timeout 60 python3 benchmarks/bench_knn_memory.py || echo "(stopped: $?)"
fi
section "done: $FAILED failed"
exit "$FAILED"
