#!/usr/bin/env bash
# KNN localization on MocapMix for the quick-start baseline and snippet model,
# 3 seeds each, two runs at a time with one thread each (as in the README).
#   bash tools/analysis/quickstart_seeds.sh [WORK_ROOT]
set -euo pipefail
ROOT=${1:-work_dirs/seeds}
export OMP_NUM_THREADS=1
for seed in 0 1 2; do
  for model in skeletonclr_stgcn_mocapmix snippet_skeletonclr_stgcn_mocapmix; do
    python tools/train.py "configs/quickstart/$model.py" --seed "$seed" \
      --work-dir "$ROOT/${model}_seed$seed" > "$ROOT.${model}_seed$seed.log" 2>&1 &
  done
  wait
done
python tools/analysis/summarize_runs.py "$ROOT"/*_seed*
