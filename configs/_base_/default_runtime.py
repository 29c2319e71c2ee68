"""Runtime defaults for every snippet_plugin config.

Our own copy: ``_base_ = 'mmaction::_base_/default_runtime.py'`` does not
resolve with mmaction2 1.1 / mmengine 0.10.7. Importing ``snippet_plugin``
(``custom_imports``) registers the plug-in and routes checkpoint loading
through the ``weights_only`` allowlist, so ``resume=True`` works on torch 2.6+.

Reliability (docs/reliability.md): checkpoints and the ``last_checkpoint``
pointer are written atomically (``AtomicCheckpointHook``), and a NaN/inf loss
stops training before it is saved (``NonFiniteLossHook``). Both are
``default_hooks`` entries, which configs extend key by key. The logger is
``RankZeroLoggerHook``: mmengine's own lets every rank of a distributed test
write the same metrics file at once. ``custom_hooks`` is a list, which
inheritance would replace: a config adds hooks with
``custom_hooks = _base_.custom_hooks + [...]``, so none of the base's is lost.

Checkpoint selection: none by default (``save_best=None``), i.e. the last
epoch is the result. A config that keeps a best checkpoint validates on
data disjoint from its test data, a held-out part of its training
sequences (``part='holdout'``, e.g.
``_base_/datasets/babel_localization.py``); the test split never selects.
"""
default_scope = 'mmaction'
custom_imports = dict(imports=['snippet_plugin'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='RankZeroLoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=1,
        save_best=None,
        max_keep_ckpts=3),
    non_finite_loss=dict(type='NonFiniteLossHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))

# Exact resume: the random generators travel with each checkpoint.
custom_hooks = [dict(type='RNGStateHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
