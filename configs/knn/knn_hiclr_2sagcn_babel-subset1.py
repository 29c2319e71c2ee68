"""KNN localization of a HiCLR 2s-AGCN encoder on BABEL Subset-1.

Paper Tab. 2 (KNN, Subset-1: walk, stand, turn, jump + background). The
frozen encoder pretrained by ``configs/hiclr_2sagcn_babel.py`` embeds every frame; the
Subset-1 ``train`` frames are the memory, each ``val`` frame takes the
weighted vote of its k = 20 nearest memory frames (``KNNLocalizationLoop``),
and ``TemporalLocalizationMetric`` scores mAP@tIoU 0.1-0.5 (``'voc'``).
Data: ``data/babel/babel_subset1.pkl`` from ``tools/data/prepare_babel.py``.

    python tools/test.py configs/knn/knn_hiclr_2sagcn_babel-subset1.py \
        work_dirs/hiclr_2sagcn_babel/epoch_300.pth
"""
_base_ = ['../hiclr_2sagcn_babel.py']

subset_ann_file = 'data/babel/babel_subset1.pkl'
subset_data = dict(dataset=dict(ann_file=subset_ann_file))
val_dataloader = subset_data
test_dataloader = subset_data
val_cfg = dict(memory_dataloader=subset_data)
test_cfg = val_cfg
