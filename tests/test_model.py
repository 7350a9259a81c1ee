import keras
import numpy as np

from happysad.model import make_model
from happysad.training import balanced_class_weights, save_model
from conftest import face
from happysad.images import to_model_input


def test_output_is_one_probability_per_image():
    for channels in (1, 3):
        model = make_model(channels=channels)
        output = model(np.random.rand(5, 64, 64, channels).astype("float32"), training=False)
        assert output.shape == (5, 1)
        assert np.all((0 <= output) & (output <= 1))


def test_loss_falls_on_a_learnable_toy_set():
    keras.utils.set_random_seed(0)
    labels = np.array([0, 1] * 32)
    images = np.stack([to_model_input(face(("happy", "sad")[y], seed), "grayscale") for seed, y in enumerate(labels)])
    model = make_model(channels=1)
    history = model.fit(images, labels, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]


def test_class_weights_balance_the_classes():
    weights = balanced_class_weights([0, 0, 0, 1])
    assert weights[0] * 3 == weights[1] * 1


def test_save_replaces_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("old")
    save_model(make_model(), path)
    assert keras.models.load_model(path).output_shape == (None, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
