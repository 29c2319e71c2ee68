"""KNN localization of a HiCLR 2s-AGCN encoder on BABEL Subset-3.

Paper Tab. 2 (KNN, Subset-3: jog, wave, dance, gesture + background). The
frozen encoder pretrained by ``configs/hiclr_2sagcn_babel.py`` embeds every frame; the
Subset-3 ``train`` frames are the memory, each ``val`` frame takes the
weighted vote of its k = 20 nearest memory frames (``KNNLocalizationLoop``),
and ``TemporalLocalizationMetric`` scores mAP@tIoU 0.1-0.5 (``'voc'``).
Data: ``data/babel/babel_subset3.pkl`` from ``tools/data/prepare_babel.py``.

    python tools/test.py configs/knn/knn_hiclr_2sagcn_babel-subset3.py \
        work_dirs/hiclr_2sagcn_babel/epoch_300.pth
"""
_base_ = ['../hiclr_2sagcn_babel.py']

subset_ann_file = 'data/babel/babel_subset3.pkl'
subset_data = dict(dataset=dict(ann_file=subset_ann_file))
val_dataloader = subset_data
test_dataloader = subset_data
val_cfg = dict(memory_dataloader=subset_data)
test_cfg = val_cfg
