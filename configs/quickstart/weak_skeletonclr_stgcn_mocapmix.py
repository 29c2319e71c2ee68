"""Quick start, Stage 2: weakly supervised finetuning from video labels.

The MocapMix twin of Tab. 4 "Weak": the training set is read with
``label_mode='video'`` (frame labels all -1; only the classes present in
each sequence survive, as the weak targets of its windows) and the model
trains with the multiple-instance loss (``supervision='weak'``: top-k mean
of each class's frame logits, binary cross-entropy against the video
labels); predictions are the sigmoids of the action logits that loss
trains (``FramewiseLocalizationHead.frame_probabilities``). Validation
still scores frame-accurate segments.

    python tools/train.py configs/quickstart/weak_skeletonclr_stgcn_mocapmix.py
"""
_base_ = ['./finetune_skeletonclr_stgcn_mocapmix.py']

model = dict(supervision='weak')
train_dataloader = dict(dataset=dict(dataset=dict(label_mode='video')))
