"""The raw-pose floor: no learning, the normalised skeleton is the feature.

``RawPoseEncoder``: per frame, the joints after ``NormalizeSkeleton3D``
concatenated with 3 x their frame-to-frame velocity (the floor of issue 11;
the KNN loop L2-normalises each frame). Nothing to train or load.

Level 0 is the frame-rate feature; levels 1-3 average-pool it to T/2, T/4
and T/8, the default levels of the T/8-layout encoders (``MultiScaleGCN``
of ``down_stages=[2, 5, 8]``), so a fused KNN setting such as
``--cfg-options test_cfg.level=[0,2,3]`` names the same resolutions for the
floor as for the encoders. The floor configs evaluate level 0.
"""
model = dict(
    type='RawPoseEncoder',
    streams=('joint', 'velocity'),
    velocity_weight=3.0,
    temporal_strides=(1, 2, 4, 8))
