#!/usr/bin/env bash
# Stage-2 protocols on MocapMix (or DATASET) over 3 seeds (the quick-start twins of the
# paper's Tab. 3-4): the two linear floors (the raw pose and the random-init
# encoder, frozen); training from scratch; linear and finetune, with and
# without the U-neck, from the SkeletonCLR and the snippet pretraining; weak;
# semi-supervised 10 % and 20 %; the MS-TCN refinement (linear, floors
# included, and finetune); linear from the replicate-padded encoders (issue
# 21's fix and its baseline); linear from AimCLR's four encoders (with and
# without snippets and replicate padding). Each run starts from the pretraining of the
# same seed written by tools/analysis/knn_table.py
# (<PRETRAIN_ROOT>/<pretraining config>_seed<k>/epoch_40.pth); semi runs also
# draw their labelled subset with label_seed=<k>. Two runs at a time, one
# thread each; about 1 min per run on 2 cores (docs/protocols.md).
#
#   bash tools/analysis/stage2_seeds.sh [WORK_ROOT] [PRETRAIN_ROOT]
#
# Environment: SEEDS (default "0 1 2"), ONLY (a regex; run only the configs
# whose name matches), DRY_RUN=1 (print the commands, run nothing), DATASET
# (default mocapmix; another dataset runs the configs of that name, e.g. the
# BandaiMix linear protocol and its floors:
#   DATASET=bandaimix ONLY='^linear_(scratch_[a-z]+|(snippet_)?skeletonclr_stgcn)_bandaimix$' \
#     bash tools/analysis/stage2_seeds.sh work_dirs/stage2_bandaimix work_dirs/knn_bandaimix
# ); a selected config that does not exist stops the script. The tables
# (mean ± std over seeds, markdown, with wall time; the smoothed protocol,
# then the paper's unsmoothed one) are printed at the end and written to
# <WORK_ROOT>/summary.md.
set -euo pipefail
DATASET=${DATASET:-mocapmix}
ROOT=${1:-work_dirs/stage2_seeds}
PRETRAIN=${2:-work_dirs/knn_$DATASET}
SEEDS=${SEEDS:-0 1 2}
ONLY=${ONLY:-.}
export OMP_NUM_THREADS=1

# config name -> pretraining config name ("" = random initialisation)
CONFIGS=(
  linear_scratch_rawpose_mocapmix:
  linear_scratch_stgcn_mocapmix:
  finetune_scratch_stgcn_mocapmix:
  linear_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  linear_skeletonclr_stgcn_noneck_mocapmix:skeletonclr_stgcn_mocapmix
  finetune_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  finetune_skeletonclr_stgcn_noneck_mocapmix:skeletonclr_stgcn_mocapmix
  weak_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  semi10_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  semi20_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  linear_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  linear_snippet_skeletonclr_stgcn_noneck_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  finetune_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  finetune_snippet_skeletonclr_stgcn_noneck_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  weak_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  semi10_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  semi20_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  linear_refine_scratch_rawpose_mocapmix:
  linear_refine_scratch_stgcn_mocapmix:
  linear_refine_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  linear_refine_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  finetune_refine_skeletonclr_stgcn_mocapmix:skeletonclr_stgcn_mocapmix
  finetune_refine_snippet_skeletonclr_stgcn_mocapmix:snippet_skeletonclr_stgcn_mocapmix
  linear_skeletonclr_replicate_stgcn_mocapmix:skeletonclr_replicate_stgcn_mocapmix
  linear_snippet_skeletonclr_replicate_stgcn_mocapmix:snippet_skeletonclr_replicate_stgcn_mocapmix
  linear_aimclr_stgcn_mocapmix:aimclr_stgcn_mocapmix
  linear_snippet_aimclr_stgcn_mocapmix:snippet_aimclr_stgcn_mocapmix
  linear_aimclr_replicate_stgcn_mocapmix:aimclr_replicate_stgcn_mocapmix
  linear_snippet_aimclr_replicate_stgcn_mocapmix:snippet_aimclr_replicate_stgcn_mocapmix
)

# Print the training command of one config and seed.
command_for() {
  local config=$1 pretrain=$2 seed=$3
  local options=("model.pretrained=None")
  if [[ -n $pretrain ]]; then
    options=("model.pretrained=$PRETRAIN/${pretrain}_seed$seed/epoch_40.pth")
  fi
  if [[ $config == semi* ]]; then
    options+=("train_dataloader.dataset.dataset.label_seed=$seed")
  fi
  echo python tools/train.py "configs/quickstart/$config.py" --seed "$seed" \
    --work-dir "$ROOT/${config}_seed$seed" --cfg-options "${options[@]}"
}

mkdir -p "$ROOT"
runs=()
for seed in $SEEDS; do
  for entry in "${CONFIGS[@]}"; do
    entry=${entry//mocapmix/$DATASET}
    config=${entry%%:*}
    pretrain=${entry#*:}
    [[ $config =~ $ONLY ]] || continue
    if [[ ! -f configs/quickstart/$config.py ]]; then
      echo "no config configs/quickstart/$config.py: narrow ONLY" >&2
      exit 1
    fi
    cmd=$(command_for "$config" "$pretrain" "$seed")
    if [[ ${DRY_RUN:-0} == 1 ]]; then
      echo "$cmd"
      continue
    fi
    if [[ -n $pretrain && ! -f $PRETRAIN/${pretrain}_seed$seed/epoch_40.pth ]]; then
      echo "missing $PRETRAIN/${pretrain}_seed$seed/epoch_40.pth:" \
        "run python tools/analysis/knn_table.py --dataset $DATASET" \
        "--methods skeletonclr --work-root $PRETRAIN first" >&2
      exit 1
    fi
    $cmd > "$ROOT/${config}_seed$seed.log" 2>&1 &
    runs+=("$ROOT/${config}_seed$seed")
    if (( $(jobs -rp | wc -l) >= 2 )); then
      wait -n
    fi
  done
done
[[ ${DRY_RUN:-0} == 1 ]] && exit 0
wait
python tools/analysis/summarize_runs.py --markdown "${runs[@]}" \
  | tee "$ROOT/summary.md"
