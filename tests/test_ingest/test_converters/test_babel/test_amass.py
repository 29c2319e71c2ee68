"""Every top-level spelling of BABEL's ``feat_p`` finds its AMASS file,
whichever AMASS release extracted it (old or new folder name, single or
doubled folder)."""
import pytest

from snippet_plugin.ingest.converters.babel import (amass_candidates,
                                                    find_amass_file)

# The 17 distinct ``<first>/<second>`` prefixes of the 12,660 paths in
# BABEL's action_recognition/data/featp_2_fps.json (abhinanda-punnakkal/
# BABEL), each with the AMASS download folders it must resolve to: the
# earlier release's name and the current one.
BABEL_SPELLINGS = {
    'ACCAD/ACCAD': ('ACCAD', 'ACCAD'),
    'BMLmovi/BMLmovi': ('BMLmovi', 'BMLmovi'),
    'BMLrub/BioMotionLab_NTroje': ('BioMotionLab_NTroje', 'BMLrub'),
    'CMU/CMU': ('CMU', 'CMU'),
    'DFaust67/DFaust_67': ('DFaust_67', 'DFaust'),
    'EKUT/EKUT': ('EKUT', 'EKUT'),
    'EyesJapanDataset/Eyes_Japan_Dataset': ('Eyes_Japan_Dataset',
                                            'EyesJapanDataset'),
    'HumanEva/HumanEva': ('HumanEva', 'HumanEva'),
    'KIT/KIT': ('KIT', 'KIT'),
    'MPIHDM05/MPI_HDM05': ('MPI_HDM05', 'HDM05'),
    'MPILimits/MPI_Limits': ('MPI_Limits', 'PosePrior'),
    'MPImosh/MPI_mosh': ('MPI_mosh', 'MoSh'),
    'SFU/SFU': ('SFU', 'SFU'),
    'SSMsynced/SSM_synced': ('SSM_synced', 'SSM'),
    'TCDhandMocap/TCD_handMocap': ('TCD_handMocap', 'TCDHands'),
    'TotalCapture/TotalCapture': ('TotalCapture', 'TotalCapture'),
    'Transitionsmocap/Transitions_mocap': ('Transitions_mocap',
                                           'Transitions'),
}


@pytest.mark.parametrize('spelling', sorted(BABEL_SPELLINGS))
def test_every_babel_spelling_finds_both_amass_releases(tmp_path, spelling):
    feat_p = f'{spelling}/subject 1/take_poses.npz'
    layouts = [f'{folder}/{inner}' for folder in BABEL_SPELLINGS[spelling]
               for inner in ('', f'{folder}/')]
    for number, layout in enumerate(dict.fromkeys(layouts)):
        root = tmp_path / str(number)
        disk = root / f'{layout}subject 1/take_poses.npz'
        disk.parent.mkdir(parents=True)
        disk.write_bytes(b'')
        assert find_amass_file(str(root), feat_p) == str(disk), layout


def test_the_list_is_the_seventeen_spellings_of_babel():
    assert len(BABEL_SPELLINGS) == 17
    assert len({first.split('/')[0] for first in BABEL_SPELLINGS}) == 17


def test_a_path_is_never_found_in_another_sub_dataset(tmp_path):
    (tmp_path / 'DFaust' / 's1').mkdir(parents=True)
    (tmp_path / 'DFaust' / 's1' / 'x.npz').write_bytes(b'')
    assert find_amass_file(str(tmp_path), 'MPIHDM05/MPI_HDM05/s1/x.npz') is \
        None
    candidates = amass_candidates('/r', 'MPIHDM05/MPI_HDM05/s1/x.npz')
    assert all(c.split('/')[2] in ('MPIHDM05', 'MPI_HDM05', 'HDM05')
               for c in candidates)
    assert candidates[0] == '/r/MPIHDM05/s1/x.npz'
