"""KNN localization (Tab. 2) of the RVTCLR + snippets (ours) 2s-AGCN encoder
pretrained by ``configs/snippet_rvtclr_2sagcn_babel.py``: the ``train``
frames of a BABEL subset are the memory, its ``val`` sequences are
localized. Subset-1 unless ``subset`` names another (``subset2``,
``subset3``; the work dir then ends in ``_subset2``).

    python tools/test.py configs/knn/knn_snippet_rvtclr_2sagcn_babel.py \\
        work_dirs/snippet_rvtclr_2sagcn_babel/epoch_300.pth [--cfg-options subset=subset2]
"""
_base_ = ['../snippet_rvtclr_2sagcn_babel.py']
