import numpy as np
import pytest

from conftest import REPO, SHARED_DATASETS
from happysad.config import MODEL_FILENAME
from happysad.train.explain import grad_cam
from happysad.vision.images import read_image, to_model_input
from happysad.train.export import with_averaged_copies
from happysad.train.export import load_keras_model
from happysad.answer.prediction import input_size_and_channels


def test_grad_cam_gives_one_unit_range_map_per_image(make_model):
    images = np.random.default_rng(0).random((3, 48, 48, 1)).astype("float32")
    maps = grad_cam(make_model(1), images)
    assert maps.shape == (3, 48, 48)
    assert np.all((0 <= maps) & (maps <= 1))


def test_grad_cam_looks_inside_an_averaged_model(make_model):
    images = np.random.default_rng(0).random((2, 48, 48, 1)).astype("float32")
    assert grad_cam(with_averaged_copies(make_model(1)), images).shape == (2, 48, 48)


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_DATASETS.is_dir(), reason="needs the real FER2013 faces in ../shared/datasets")
def test_grad_cam_of_the_shipped_model_is_never_blank_on_real_faces():
    faces = [path for label in ("happy", "sad")
             for path in sorted(next(SHARED_DATASETS.glob(f"fer2013/**/test/{label}")).iterdir())[:40]]
    model = load_keras_model(REPO / MODEL_FILENAME)
    images = np.stack([to_model_input(read_image(path), *input_size_and_channels(model)) for path in faces])
    assert np.all(grad_cam(model, images).max(axis=(1, 2)) == 1)  # each map scaled to a peak of 1
