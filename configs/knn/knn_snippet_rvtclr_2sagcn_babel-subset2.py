"""KNN localization of a RVTCLR + snippets (ours) 2s-AGCN encoder on BABEL Subset-2.

Paper Tab. 2 (KNN, Subset-2: sit, run, stand up, kick + background). The
frozen encoder pretrained by ``configs/snippet_rvtclr_2sagcn_babel.py`` embeds every frame; the
Subset-2 ``train`` frames are the memory, each ``val`` frame takes the
weighted vote of its k = 20 nearest memory frames (``KNNLocalizationLoop``),
and ``TemporalLocalizationMetric`` scores mAP@tIoU 0.1-0.5 (``'voc'``).
Data: ``data/babel/babel_subset2.pkl`` from ``tools/data/prepare_babel.py``.

    python tools/test.py configs/knn/knn_snippet_rvtclr_2sagcn_babel-subset2.py \
        work_dirs/snippet_rvtclr_2sagcn_babel/epoch_300.pth
"""
_base_ = ['../snippet_rvtclr_2sagcn_babel.py']

subset_ann_file = 'data/babel/babel_subset2.pkl'
subset_data = dict(dataset=dict(ann_file=subset_ann_file))
val_dataloader = subset_data
test_dataloader = subset_data
val_cfg = dict(memory_dataloader=subset_data)
test_cfg = val_cfg
