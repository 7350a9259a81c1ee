"""FER+ votes: found by pixel content at import, turned into targets and the second yardstick."""
import csv

import numpy as np
import pytest

from happysad.data import votes
from happysad.data.importer import import_sources
from happysad.train.evaluation import evaluate_both
from conftest import SHARED_DATASETS, encoded, face

VOTES = (1, 6, 0, 2, 0, 0, 0, 0, 1, 0)  # neutral 1, happiness 6, sadness 2, unknown 1


@pytest.fixture
def known_face(monkeypatch):
    """A synthetic 48x48 face whose pixels the votes table knows."""
    image = face("happy", 5)
    monkeypatch.setattr(votes, "votes_table", lambda: {votes.pixel_key(image): VOTES})
    return image


def stored_votes(data_dir) -> dict:
    with open(data_dir / votes.VOTES_FILE) as handle:
        return {row.pop("file"): tuple(int(v) for v in row.values()) for row in csv.DictReader(handle)}


def test_a_renamed_re_encoded_copy_gets_its_votes(tmp_path, known_face):
    source = tmp_path / "src" / "train" / "happy"
    source.mkdir(parents=True)
    (source / "holiday_snap.bmp").write_bytes(encoded(known_face.convert("RGB"), "BMP"))  # colour BMP, new name
    (source / "other.png").write_bytes(encoded(face("happy", 6)))  # not in the table
    summary = import_sources([str(tmp_path / "src")], tmp_path / "data", progress=False)
    assert summary.with_votes == 1
    (name, found), = stored_votes(tmp_path / "data").items()
    assert found == VOTES and name.startswith("happy/")


def test_no_votes_no_votes_file(tmp_path):
    write = tmp_path / "src" / "sad"
    write.mkdir(parents=True)
    (write / "a.png").write_bytes(encoded(face("sad", 1)))
    assert import_sources([str(tmp_path / "src")], tmp_path / "data", progress=False).with_votes == 0
    assert not (tmp_path / "data" / votes.VOTES_FILE).exists()
    assert votes.read_votes(tmp_path / "data").empty


def test_agreed_means_a_strict_plurality_of_happiness_or_sadness():
    rows = [(0, 6, 0, 2, 0, 0, 0, 0, 2, 0),   # happiness
            (3, 0, 0, 5, 0, 0, 0, 0, 2, 0),   # sadness
            (5, 0, 0, 5, 0, 0, 0, 0, 0, 0),   # a tie: not agreed
            (6, 0, 0, 4, 0, 0, 0, 0, 0, 0),   # neutral
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 10),  # not a face
            [np.nan] * 10]                    # no votes
    np.testing.assert_array_equal(votes.agreed_labels(rows), [0, 1, -1, -1, -1, -1])
    np.testing.assert_array_equal(votes.not_a_face(rows), [False] * 4 + [True, False])


def test_soft_targets_add_the_original_label_as_one_more_vote():
    rows = [(3, 0, 0, 5, 0, 0, 0, 0, 2, 0), [np.nan] * 10]
    targets = votes.soft_targets(rows, ["sad", "happy"], original_label_votes=1)
    expected = np.zeros((2, 8))
    expected[0, [0, 3]] = [3 / 9, 6 / 9]  # neutral 3, sadness 5 + 1; "unknown" is not an emotion
    expected[1, 1] = 1  # no votes: the folder's emotion alone
    np.testing.assert_allclose(targets, expected)


def test_the_second_yardstick_scores_agreed_faces_against_their_plurality():
    labels = [1, 1, 0, 0]          # FER2013's folders
    agreed = [0, 1, -1, 0]         # people say: happy, sad, no agreement, happy
    p_sad = [0.2, 0.9, 0.8, 0.95]  # the last is a confident mistake on both yardsticks
    scores = evaluate_both(labels, agreed, p_sad)
    assert scores["original labels"]["accuracy"] == 0.25
    assert scores["agreed faces"]["images"] == 3 and scores["agreed faces"]["accuracy"] == pytest.approx(2 / 3)
    assert scores["agreed faces"]["confident_mistakes"] == 1
    assert evaluate_both(labels, [-1] * 4, p_sad)["agreed faces"] is None


@pytest.mark.skipif(not SHARED_DATASETS.is_dir(), reason=f"no real data at {SHARED_DATASETS}")
def test_real_fer2013_faces_find_their_ferplus_votes():
    rows = {}
    with open(SHARED_DATASETS / "fer2013" / "ferplus_votes.csv") as handle:
        for row in csv.DictReader(handle):
            rows[row["split"], row["emotion"], row["file"]] = tuple(int(row[c]) for c in votes.VOTE_COLUMNS)
    from happysad.vision.images import read_image
    for key in [("train", "sad", "im0.png"), ("test", "happy", "im17.png"), ("train", "neutral", "im3.png")]:
        image = read_image(SHARED_DATASETS / "fer2013" / key[0] / key[1] / key[2])
        assert votes.votes_table()[votes.pixel_key(image.convert("RGB"))] == rows[key]
