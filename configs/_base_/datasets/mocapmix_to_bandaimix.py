"""What moves a MocapMix quick start onto BandaiMix, and nothing else.

A BandaiMix quick start inherits its MocapMix twin (the method's recipe,
unchanged) and this file, and points every dataloader at BandaiMix:

    train_dataloader = {{_base_.bandaimix_train}}
    val_dataloader = {{_base_.bandaimix_eval}}
    test_dataloader = {{_base_.bandaimix_eval}}
    holdout_dataloader = {{_base_.bandaimix_eval}}   # Stage 2
    val_cfg = {{_base_.bandaimix_knn}}
    test_cfg = {{_base_.bandaimix_knn}}

Prepare the data with ``tools/data/prepare_bandai.py`` (docs/datasets.md).
The default build has 192 train sequences, so one pass (``times=1``)
gives the MocapMix quick starts' 12 iterations of 16 windows per epoch (48
sequences x 4 there): epochs, warm-ups and mining epochs stay as they are.
The KNN memory is the frame-labelled train split (131,289 frames in the
default build), under the loop's ``max_memory_frames`` bound (200,000);
validation localizes the 48 val sequences, whose styles training never
sees.
"""
bandaimix_ann_file = 'data/bandaimix/bandaimix.pkl'
bandaimix_train = dict(
    dataset=dict(times=1, dataset=dict(ann_file=bandaimix_ann_file)))
bandaimix_eval = dict(dataset=dict(ann_file=bandaimix_ann_file))
bandaimix_knn = dict(
    memory_dataloader=dict(dataset=dict(ann_file=bandaimix_ann_file)),
    max_memory_frames=200000)
