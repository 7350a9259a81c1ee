"""Integration on the real datasets in ../shared/datasets, when this machine has them."""
import keras
import pytest

from happysad.data_import import import_sources
from happysad.generators import make_generators
from happysad.model import make_model
from conftest import SHARED_DATASETS

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
    keras.utils.set_random_seed(0)
    train, validation = make_generators(tmp_path / "data", batch_size=32)
    history = make_model().fit(train, validation_data=validation, epochs=1, verbose=0)
    assert 0 <= history.history["val_accuracy"][0] <= 1
