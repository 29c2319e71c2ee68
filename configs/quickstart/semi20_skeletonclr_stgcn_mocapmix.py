"""Quick start, Stage 2: semi-supervised finetuning with 20 % of the labels.

The MocapMix twin of Tab. 4 "20%": a class-stratified, seeded 20 % of the
training sequences keep their frame labels (``label_fraction=0.2``,
``label_seed=0``; subsets are nested: 10 % ⊂ 20 % ⊂ ... for one seed), the
rest are dropped, and everything trains. The 11 labelled sequences (of 48;
at least one per stratum) are repeated 17 times per epoch instead of 4, so
the run takes about as many steps as full supervision. Change the subset
with ``--cfg-options train_dataloader.dataset.dataset.label_seed=1``.

    python tools/train.py configs/quickstart/semi20_skeletonclr_stgcn_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_mocapmix.py']

train_dataloader = dict(
    dataset=dict(
        times=17,
        dataset=dict(label_fraction=0.2, label_seed=0)))
