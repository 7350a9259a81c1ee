"""Integration on the real datasets in ../shared/datasets, when this machine has them."""
import pytest

from happysad.data_import import import_sources
from conftest import SHARED_DATASETS, notebook_training

pytestmark = pytest.mark.skipif(not SHARED_DATASETS.is_dir(),
                                reason=f"no real data at {SHARED_DATASETS} (only on the project's machines)")


def small_copy(source, destination, per_folder):
    """A few images from each happy/sad folder of a real dataset, layout kept."""
    for folder in source.rglob("*"):
        if folder.is_dir() and folder.name in ("happy", "sad"):
            target = destination / folder.relative_to(source)
            target.mkdir(parents=True)
            for path in sorted(folder.iterdir())[:per_folder]:
                (target / path.name).write_bytes(path.read_bytes())
    return destination


def test_import_real_images_then_train_one_epoch(tmp_path):
    sources = [small_copy(SHARED_DATASETS / "fer2013", tmp_path / "fer2013", 60),
               small_copy(SHARED_DATASETS / "happysad_web", tmp_path / "web", 60)]
    summary = import_sources([str(s) for s in sources], tmp_path / "data", progress=False)
    imported = sum(summary.imported.values())
    assert 300 <= imported <= 600 and summary.imported["holdout", "sad"] > 0
    assert summary.photos_with_faces >= 60  # of 120 web photos (a face is found in about 3 in 4)
    assert summary.photos_with_faces + summary.photos_without_faces <= 120  # FER's 48x48 faces are not cut
    steps = notebook_training(tmp_path / "data", BATCH_SIZE=32, EPOCHS=1)
    history = steps["model"].fit(steps["train_flow"], validation_data=steps["validation_flow"], epochs=1, verbose=0)
    assert 0 <= history.history["val_accuracy"][0] <= 1
