"""Quick start: ``skeletonclr_stgcn_bandaimix.py`` pretrained on more
unlabelled data: BandaiMix's train split plus every MocapMix sequence.

The same recipe, epochs, schedule and KNN evaluation (BandaiMix's val
split, whose sequences pretraining never sees: MocapMix is built from other
recordings). MocapMix's 64 sequences join BandaiMix's 192 train sequences
without their labels (``UntrimmedPoseDataset.unlabelled_extra``), so an
epoch cuts 256 windows instead of 192. Both files must be prepared
(``make demo`` builds MocapMix; ``tools/data/prepare_bandai.py``
BandaiMix).

    python tools/train.py configs/quickstart/skeletonclr_plusmocapmix_stgcn_bandaimix.py
"""
_base_ = ['./skeletonclr_stgcn_bandaimix.py']

train_dataloader = dict(
    dataset=dict(
        dataset=dict(
            unlabelled_extra=[dict(ann_file='data/mocapmix/mocapmix.pkl')])))
