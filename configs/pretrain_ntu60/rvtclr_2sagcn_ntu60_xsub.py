"""RVTCLR + 2s-AGCN pretrained on NTU-60 cross-subject (Tab. 5, "RVTCLR /
NTU-60 / 2s-AGCN"): ``configs/rvtclr_2sagcn_babel.py`` (model, tempo views,
schedule) with the data swapped only: the unlabelled NTU-60 xsub train clips
for pretraining (the BABEL pipeline as is, so one body per clip, the
first), KNN localization on PKU-MMD xsub (two bodies, ``'pkummd'``
protocol) for validation.

    python tools/train.py configs/pretrain_ntu60/rvtclr_2sagcn_ntu60_xsub.py
"""
_base_ = ['../rvtclr_2sagcn_babel.py']

knn_ann_file = 'data/pkummd/pkummd_xsub.pkl'
knn_pipeline = [
    dict(type='NormalizeSkeleton3D'),
    dict(type='PadFrames', multiple_of=8),
    dict(type='FixPersonCount', num_person=2),
    dict(type='PackUntrimmedPoseInputs'),
]
train_dataloader = dict(
    dataset=dict(ann_file='data/ntu/ntu60_xsub_pretrain.pkl', split='train'))
val_dataloader = dict(
    dataset=dict(ann_file=knn_ann_file, split='val', pipeline=knn_pipeline))
test_dataloader = val_dataloader
val_cfg = dict(
    memory_dataloader=dict(
        dataset=dict(
            ann_file=knn_ann_file, split='train', pipeline=knn_pipeline)))
test_cfg = val_cfg
val_evaluator = dict(protocol='pkummd')
test_evaluator = val_evaluator
