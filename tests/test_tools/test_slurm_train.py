"""tools/slurm_train.sh hands MMAction2's PARTITION JOB_NAME CONFIG [options]
interface to srun."""
import os
import subprocess

from helpers import REPO

FAKE_SRUN = '''#!/usr/bin/env bash
printf '%s\\n' "$@" > "$SRUN_LOG"
echo "MASTER_PORT=$MASTER_PORT" >> "$SRUN_LOG"
echo "PYTHONPATH=$PYTHONPATH" >> "$SRUN_LOG"
'''


def test_slurm_train_passes_the_job_to_srun(tmp_path):
    """MMAction2's interface: PARTITION JOB_NAME CONFIG [train options];
    a stand-in ``srun`` records what the script asks Slurm to run."""
    srun = tmp_path / 'bin' / 'srun'
    srun.parent.mkdir()
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    log = tmp_path / 'srun.log'
    env = dict(os.environ,
               PATH=f"{srun.parent}{os.pathsep}{os.environ['PATH']}",
               SRUN_LOG=str(log), GPUS='16', PORT='23456',
               SRUN_ARGS='--qos=high --time=1:00:00', PYTHONPATH='/extra')
    subprocess.run(['bash', str(REPO / 'tools' / 'slurm_train.sh'), 'gpu',
                    'snippet', 'configs/x.py', '--work-dir', 'w d',
                    '--resume'], check=True, env=env, timeout=30)
    assert log.read_text().splitlines() == [
        '--partition=gpu', '--job-name=snippet', '--gres=gpu:8',
        '--ntasks=16', '--ntasks-per-node=8', '--cpus-per-task=5',
        '--kill-on-bad-exit=1', '--qos=high', '--time=1:00:00', 'python',
        '-u', str(REPO / 'tools' / 'train.py'), 'configs/x.py', '--launcher',
        'slurm', '--work-dir', 'w d', '--resume', 'MASTER_PORT=23456',
        f'PYTHONPATH={REPO}:/extra']
