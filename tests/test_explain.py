import numpy as np

from happysad.explain import grad_cam
from happysad.model import make_model


def test_grad_cam_gives_one_unit_range_map_per_image():
    images = np.random.default_rng(0).random((3, 64, 64, 1)).astype("float32")
    maps = grad_cam(make_model(), images)
    assert maps.shape == (3, 64, 64)
    assert np.all((0 <= maps) & (maps <= 1))
