"""Quick start, Stage 2: semi-supervised finetuning with 10 % of the labels.

The MocapMix twin of Tab. 4 "10%": a class-stratified, seeded 10 % of the
training sequences keep their frame labels (``label_fraction=0.1``,
``label_seed=0``; subsets are nested: 10 % ⊂ 20 % ⊂ ... for one seed), the
rest are dropped, and everything trains. The 6 labelled sequences (of 48;
at least one per stratum) are repeated 32 times per epoch instead of 4, so
the run takes about as many steps as full supervision. Change the subset
with ``--cfg-options train_dataloader.dataset.dataset.label_seed=1``.

    python tools/train.py configs/quickstart/semi10_skeletonclr_stgcn_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_mocapmix.py']

train_dataloader = dict(
    dataset=dict(
        times=32,
        dataset=dict(label_fraction=0.1, label_seed=0)))
