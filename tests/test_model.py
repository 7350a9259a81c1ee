import keras
import numpy as np

from happysad.model import with_flip_averaging
from happysad.training import balanced_class_weights, save_model
from conftest import face, notebook_training
from happysad.images import to_model_input


def test_output_is_one_probability_per_image(make_model):
    for channels in (1, 3):
        model = make_model(channels)
        output = model(np.random.rand(5, 64, 64, channels).astype("float32"), training=False)
        assert output.shape == (5, 1)
        assert np.all((0 <= output) & (output <= 1))


def test_notebook_model_learns_a_toy_set(dataset):
    model = notebook_training(dataset, EPOCHS=8, SEED=0)["model"]  # compiled as the notebook compiles it
    labels = np.array([0, 1] * 32)
    images = np.stack([to_model_input(face(("happy", "sad")[y], seed), "grayscale") for seed, y in enumerate(labels)])
    history = model.fit(images, labels, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]


def test_class_weights_balance_the_classes():
    weights = balanced_class_weights([0, 0, 0, 1])
    assert weights[0] * 3 == weights[1] * 1


def test_save_replaces_the_old_file_and_leaves_no_temporary(tmp_path, make_model):
    path = tmp_path / "model.keras"
    path.write_text("old")
    save_model(make_model(1), path)
    assert keras.models.load_model(path).output_shape == (None, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def test_flip_averaged_model_answers_the_mean_logit_of_picture_and_mirror(tmp_path, make_model):
    model = make_model(1)
    averaged = with_flip_averaging(model)
    images = np.random.default_rng(2).random((4, 64, 64, 1)).astype("float32")
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    one_way = np.asarray(model(images, training=False)).ravel()
    mirrored = np.asarray(model(images[:, :, ::-1], training=False)).ravel()
    both = np.asarray(averaged(images, training=False)).ravel()
    np.testing.assert_allclose(logit(both), (logit(one_way) + logit(mirrored)) / 2, rtol=1e-4, atol=1e-4)
    # a mirrored face gets exactly the same answer, and the file loads in safe mode
    np.testing.assert_allclose(np.asarray(averaged(images[:, :, ::-1], training=False)).ravel(), both, atol=1e-6)
    save_model(averaged, tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras", compile=False, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(images, training=False)).ravel(), both, atol=1e-6)


def test_internal_downscale_makes_the_resize_filter_matter_little():
    """A 48x48 face upscaled to 64 with nearest or bilinear looks the same to the network."""
    from PIL import Image

    small = face("sad", 3)
    nearest, bilinear = (np.asarray(small.resize((64, 64), f), dtype="float32")[None, ..., None] / 255
                         for f in (Image.NEAREST, Image.BILINEAR))
    shrink = keras.layers.Resizing(48, 48, interpolation="area")
    gap_inside = np.abs(np.asarray(shrink(nearest)) - np.asarray(shrink(bilinear))).mean()
    assert gap_inside < 0.7 * np.abs(nearest - bilinear).mean()
