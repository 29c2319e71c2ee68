"""Offline ingestion: raw public data and foreign checkpoints in, our formats out.

Run by ``tools/`` (``tools/data/prepare_*.py``, ``tools/convert_checkpoint.py``)
and by :mod:`snippet_plugin.apis` (reading raw recordings for inference); the
training path (``datasets``, ``models``, ``engine``, ``evaluation``) never
imports it. The folder order reads as the data flows:
ingest -> datasets -> models -> engine/evaluation -> apis.

- :mod:`.converters`: BABEL (AMASS), PKU-MMD and NTU RGB+D to the annotation
  format;
- :mod:`.motion`, :mod:`.quaternion`, :mod:`.stitching`: poses in a y-up
  world and the clip stitching shared by the dataset builders;
- :mod:`.mocapmix`: the bundled MocapMix dataset builder;
- :mod:`.bandaimix`: the BandaiMix builder (Bandai-Namco BVH clips);
- :mod:`.checkpoint_conversion`: official research checkpoints to our keys.
"""
