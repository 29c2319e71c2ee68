"""RVTCLR + snippet contrast (ours) with 2s-AGCN on BABEL: the headline model.

What it trains: the paper's Stage 1 (Sec. 3.1) on top of RVTCLR, its main
baseline. A 2s-AGCN encoder (MMAction2 ``AAGCN``, joint stream, T/8 layout,
64/128/256 channels) is pretrained without labels on every BABEL training
sequence with RVTCLR's objectives (appearance InfoNCE with the same-tempo
and the other-tempo key, tempo margin ranking, body-part distribution
matching) plus the snippet objective: 19 snippets per view matched across
the query and its same-tempo key (Eq. 4), InfoNCE against a 32768-snippet
queue (Eq. 5), weighted λ = 1.5 (Eq. 6, Tab. 7). This config is
``rvtclr_2sagcn_babel.py`` plus ``dense_head`` and ``loss_dense_weight``,
nothing else.

Paper results it serves (RVTCLR -> +Ours, 2s-AGCN, avg mAP@tIoU 0.1-0.5,
Subsets 1/2/3): Tab. 2, KNN: 38.2/36.3/22.7 -> 43.4/46.2/31.2; Tab. 3,
linear: 40.9/38.8/34.8 -> 45.3/49.1/39.3. Its checkpoint is also the
starting point of the weakly/semi-supervised (Tab. 4) and BABEL -> PKU-MMD
transfer (Tab. 5) experiments.

Data (see ``docs/datasets.md``; made by ``tools/data/prepare_babel.py``):

* ``data/babel/babel_pretrain.pkl``: every BABEL train sequence (25 NTU
  joints, 30 fps, one person), read without labels for pretraining;
* ``data/babel/babel_subset{1,2,3}.pkl``: the subset's frame-labelled
  ``train`` sequences (the KNN memory) and ``val`` sequences (evaluated).
  Subset-1 by default; the pretraining does not depend on the subset, so
  evaluate one checkpoint on each subset with ``tools/test.py
  configs/knn/knn_snippet_rvtclr_2sagcn_babel-subset{1,2,3}.py CKPT``.

Input: 300-frame windows, each turned into four 150-frame tempo views
(``RelativeTempoViews``: query and key at the sample's tempo, normal
speed or 2x, the key at the other tempo, and a strongly augmented part
view); 150 frames give 19 features at T/8, one per snippet. Batch 128, SGD
lr 0.1 (momentum 0.9, wd 1e-4), 300 epochs with a 10x decay at 250,
RVTCLR's nearest-neighbour positives from epoch 150, KNN localization
(k = 20, last level) every 10 epochs.

Run (the trained model is evaluated by the KNN loop at the end)::

    python tools/train.py configs/snippet_rvtclr_2sagcn_babel.py
    python tools/test.py configs/snippet_rvtclr_2sagcn_babel.py \\
        work_dirs/snippet_rvtclr_2sagcn_babel/epoch_300.pth

Swap the backbone in one line (any MMAction2-style GCN taking STGCN's
arguments), e.g. UNIK::

    python tools/train.py configs/snippet_rvtclr_2sagcn_babel.py \\
        --cfg-options model.backbone.backbone.type=UNIK

(``snippet_rvtclr_unik_babel.py`` is that run as a file;
``snippet_rvtclr_stgcn_babel.py`` trains ST-GCN with its own
``stgcn_spatial`` graph.) Several GPUs:
``bash tools/dist_train.sh configs/snippet_rvtclr_2sagcn_babel.py 2
--cfg-options train_dataloader.batch_size=64`` (the batch size is per
GPU; this keeps 128 in total). The snippet positive is the same-tempo key;
``model.dense_positive=other_tempo`` pairs with the other-tempo key as the
authors' public code does (see :class:`RVTCLR`).
"""
_base_ = ['./rvtclr_2sagcn_babel.py']

model = dict(
    dense_head=dict(
        type='DenseProjectionHead',
        in_channels=256,
        out_channels=128,
        num_snippets=19),
    loss_dense_weight=1.5)
