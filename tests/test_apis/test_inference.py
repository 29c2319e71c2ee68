"""Ground truth of an annotation file is mapped to the model's classes by
name; a file whose classes differ from the model's says so, and no
ground-truth segment disappears into background."""
import numpy as np

from snippet_plugin.apis.inference import map_ground_truth
from snippet_plugin.apis.inputs import SkeletonSequence

MODEL = ['walk', 'kick', 'roll']


def sequence(segments, classes):
    return SkeletonSequence('seq', np.zeros((1, 50, 25, 3)), 'ann.pkl, '
                            "sample 'seq'", 30, np.array(segments), classes)


def test_the_same_classes_keep_their_ids_without_a_note():
    truth = map_ground_truth(sequence([[0, 5, 2]], MODEL), MODEL)
    assert truth.segments.tolist() == [[0, 5, 2]]
    assert truth.classes == MODEL and truth.note is None


def test_other_classes_are_mapped_by_name_and_unknown_ones_kept():
    # A PKU-MMD-like file: 'eat meal/snack' is id 0 there, 'roll' id 2 in
    # the model; 'Kick ' matches 'kick' (case and spaces ignored).
    file_classes = ['eat meal/snack', 'Kick ', 'walk', 'wave']
    truth = map_ground_truth(
        sequence([[0, 10, 0], [10, 20, 1], [20, 30, 2], [30, 35, 0]],
                 file_classes), MODEL)
    # model ids: walk 0, kick 1, roll 2; then eat meal/snack 3, wave 4.
    assert truth.segments.tolist() == [[0, 10, 3], [10, 20, 1], [20, 30, 0],
                                       [30, 35, 3]]
    assert truth.classes == MODEL + ['eat meal/snack', 'wave']
    assert truth.note == (
        "ann.pkl, sample 'seq': the file's 4 classes differ from the "
        "model's 3; ground truth mapped by name: 2 of the file's classes are"
        " the model's (1 with another id); not among the model's classes, "
        "drawn under their own names: 'eat meal/snack' (2 segment(s))")


def test_a_file_without_class_names_reads_ids_as_the_model_and_says_so():
    truth = map_ground_truth(sequence([[0, 5, 1], [5, 9, 4]], []), MODEL)
    assert truth.segments.tolist() == [[0, 5, 1], [5, 9, 4]]
    assert truth.classes == MODEL + ['file class 3', 'file class 4']
    assert truth.note == (
        "ann.pkl, sample 'seq': the file names no classes; its ground-truth "
        "class ids are read as the model's; ids [4] are beyond the model's 3"
        ' classes and drawn as "file class <id>"')


def test_no_ground_truth_gives_none():
    plain = SkeletonSequence('x', np.zeros((1, 5, 25, 3)), 'array input')
    assert map_ground_truth(plain, MODEL) is None
