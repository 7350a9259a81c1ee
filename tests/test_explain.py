import numpy as np

from happysad.explain import grad_cam
from happysad.model import with_flip_averaging


def test_grad_cam_gives_one_unit_range_map_per_image(make_model):
    images = np.random.default_rng(0).random((3, 64, 64, 1)).astype("float32")
    maps = grad_cam(make_model(1), images)
    assert maps.shape == (3, 64, 64)
    assert np.all((0 <= maps) & (maps <= 1))


def test_grad_cam_looks_inside_a_flip_averaged_model(make_model):
    images = np.random.default_rng(0).random((2, 64, 64, 1)).astype("float32")
    assert grad_cam(with_flip_averaging(make_model(1)), images).shape == (2, 64, 64)
