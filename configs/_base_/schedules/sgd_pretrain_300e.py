"""Pretraining schedule of the baselines (SkeletonCLR/AimCLR/RVTCLR repos).

SGD, momentum 0.9, weight decay 1e-4, lr 0.1 at batch 128, 300 epochs with
a 10x decay at epoch 250; KNN localization every 10 epochs. The public
snippet code trains 600 epochs; change ``max_epochs`` (and ``milestones``)
to reproduce it.
"""
max_epochs = 300
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=10)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[250], gamma=0.1, by_epoch=True,
         begin=0, end=max_epochs)
]
auto_scale_lr = dict(enable=False, base_batch_size=128)
