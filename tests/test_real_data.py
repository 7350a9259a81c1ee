"""Integration on the real datasets in ../shared/datasets, when this machine has them."""
import numpy as np
import pytest

from happysad.data.importer import import_sources
from happysad.train.notebook import run_steps
from happysad.data.votes import EMOTIONS, TARGETS
from conftest import SHARED_DATASETS

pytestmark = pytest.mark.skipif(not SHARED_DATASETS.is_dir(),
                                reason=f"no real data at {SHARED_DATASETS} (only on the project's machines)")


def small_copy(source, destination, per_folder):
    """A few images from each happy/sad folder of a real dataset, layout kept."""
    for folder in source.rglob("*"):
        if folder.is_dir() and folder.name in ("happy", "sad", "neutral"):
            target = destination / folder.relative_to(source)
            target.mkdir(parents=True)
            for path in sorted(folder.iterdir())[:per_folder]:
                (target / path.name).write_bytes(path.read_bytes())
    return destination


@pytest.mark.slow
def test_import_real_images_and_load_them_with_their_votes(tmp_path):
    sources = [small_copy(SHARED_DATASETS / "fer2013", tmp_path / "fer2013", 60),
               small_copy(SHARED_DATASETS / "happysad_web", tmp_path / "web", 60)]
    summary = import_sources([str(s) for s in sources], tmp_path / "data", progress=False)
    imported = sum(summary.imported.values())
    assert 300 <= imported <= 700 and summary.imported["holdout", "sad"] > 0
    # another emotion's test faces are held out too (scored three ways), never trained on
    assert summary.imported["train", "neutral"] == 60 and summary.imported["holdout", "neutral"] == 60
    assert summary.photos_with_faces >= 60  # of 120 web photos (a face is found in about 3 in 4)
    assert summary.photos_with_faces + summary.photos_without_faces <= 120  # FER's 48x48 faces are not cut
    assert summary.with_votes >= 60 * 6 - 10  # FER2013 train/ and test/ happy, sad, neutral: 60 each
    loaded = run_steps("flows", DATA_DIR=str(tmp_path / "data"), BATCH_SIZE=32)
    faces = loaded["faces"]
    voted = faces[faces.neutral.notna()]
    assert set(voted.emotion) == {"happy", "sad", "neutral"} and faces.neutral.isna().sum() > 0  # web crops: none
    # a voted face is taught its ten annotators' emotions plus one vote for its folder
    row = voted.iloc[0]
    counts = row[list(EMOTIONS)].to_numpy(dtype=float)
    counts[EMOTIONS.index({"happy": "happiness", "sad": "sadness", "neutral": "neutral"}[row.emotion])] += 1
    np.testing.assert_allclose(row[list(TARGETS)].to_numpy(dtype=float), counts / counts.sum())
