#!/usr/bin/env bash
# Distributed training on a Slurm cluster, MMAction2's convention:
#   bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py options...]
# One task per GPU. GPUS (total, default 8), GPUS_PER_NODE (default 8),
# CPUS_PER_TASK (default 5), SRUN_ARGS (extra srun options) and PORT (the
# rendezvous port; default: random in 12000-31999, so that two jobs on one
# node do not collide) tune the job. mmengine reads the Slurm environment
# (SLURM_PROCID, SLURM_NTASKS, SLURM_NODELIST) to set up the process group;
# the Slurm launcher needs CUDA (for CPU-only DDP use torchrun, i.e.
# tools/dist_train.sh).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$DIR")
export MASTER_PORT=${PORT:-$((12000 + RANDOM % 20000))}

# SRUN_ARGS is split into words on purpose: it holds several options.
# shellcheck disable=SC2086
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
srun --partition="$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres="gpu:$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    python -u "$DIR/train.py" "$CONFIG" --launcher slurm "${@:4}"
