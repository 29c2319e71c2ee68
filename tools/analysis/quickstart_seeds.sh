#!/usr/bin/env bash
# KNN localization on MocapMix for quick-start pretraining configs, 3 seeds
# each, two runs at a time with one thread each (as in the README).
#   bash tools/analysis/quickstart_seeds.sh [WORK_ROOT] [CONFIG_NAME ...]
# Without config names: SkeletonCLR and its snippet variant (issue-3 table).
set -euo pipefail
ROOT=${1:-work_dirs/seeds}
shift || true
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
  MODELS=(skeletonclr_stgcn_mocapmix snippet_skeletonclr_stgcn_mocapmix)
fi
export OMP_NUM_THREADS=1
mkdir -p "$ROOT"
for seed in 0 1 2; do
  for model in "${MODELS[@]}"; do
    python tools/train.py "configs/quickstart/$model.py" --seed "$seed" \
      --work-dir "$ROOT/${model}_seed$seed" > "$ROOT.${model}_seed$seed.log" 2>&1 &
    # two runs at a time: wait after every second launch
    if [ "$(jobs -rp | wc -l)" -ge 2 ]; then wait -n; fi
  done
done
wait
runs=()
for model in "${MODELS[@]}"; do runs+=("$ROOT/${model}"_seed*); done
python tools/analysis/summarize_runs.py "${runs[@]}"
