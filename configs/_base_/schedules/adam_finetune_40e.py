"""Stage-2 schedule of the public localization code: Adam, lr 1e-4
(1e-3 without the U-neck), weight decay 1e-4, 40 epochs, constant lr.

The batch size (8) sits in the dataset configs. Validation runs the
localization metric every 5 epochs.
"""
max_epochs = 40
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4))
auto_scale_lr = dict(enable=False, base_batch_size=8)
