"""The raw-pose floor: no learning, the normalised skeleton is the feature.

``RawPoseEncoder``: per frame, the joints after ``NormalizeSkeleton3D``
concatenated with 3 x their frame-to-frame velocity (the floor of issue 11;
the KNN loop L2-normalises each frame). Nothing to train or load.
"""
model = dict(
    type='RawPoseEncoder', streams=('joint', 'velocity'), velocity_weight=3.0)
