"""RVTCLR + ST-GCN pretrained on BABEL, evaluated by KNN localization.

The ST-GCN rows of the supplementary KNN/linear tables, and the pretraining
of the BABEL -> PKU-MMD transfer in Tab. 5 (RVTCLR, ST-GCN). Same data,
views and schedule as ``rvtclr_2sagcn_babel.py``.

    python tools/train.py configs/rvtclr_stgcn_babel.py
"""
_base_ = [
    './_base_/models/rvtclr_stgcn.py',
    './_base_/datasets/babel_tempo_knn.py',
    './_base_/schedules/sgd_pretrain_300e.py',
    './_base_/default_runtime.py',
]
