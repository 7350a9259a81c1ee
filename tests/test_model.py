import keras
import numpy as np
import pytest

from happysad.train.export import MOVES, happy_vs_sad, save_model, with_averaged_copies
from happysad.data.votes import EMOTIONS
from conftest import face, notebook_training
from happysad.vision.images import to_model_input


def test_output_is_one_probability_per_image(make_model):
    for channels in (1, 3):
        model = make_model(channels)
        output = model(np.random.rand(5, 48, 48, channels).astype("float32"), training=False)
        assert output.shape == (5, 1)
        assert np.all((0 <= output) & (output <= 1))


@pytest.mark.slow
def test_notebook_model_learns_a_toy_set(dataset):
    model = notebook_training(dataset, EPOCHS=8, SEED=0)["model"]  # compiled as the notebook compiles it
    labels = np.array([0, 1] * 32)
    images = np.stack([to_model_input(face(("happy", "sad")[y], seed), 48) for seed, y in enumerate(labels)])
    targets = np.eye(len(EMOTIONS))[[EMOTIONS.index(("happiness", "sadness")[y]) for y in labels]]
    history = model.fit(images, targets, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]


def test_save_replaces_the_old_file_and_leaves_no_temporary(tmp_path, make_model):
    path = tmp_path / "model.keras"
    path.write_text("old")
    save_model(make_model(1), path)
    assert keras.models.load_model(path).output_shape == (None, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def moved(images, dx, dy):
    """Images moved by (dx, dy) pixels (right, down), the edge pixels repeated into the gap."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    return padded[:, 1 - dy:1 - dy + images.shape[1], 1 - dx:1 - dx + images.shape[2]]


def pixel_weighing_model():
    """A stand-in with the saved model's contract whose logit weighs every pixel by its own fixed
    weight, so any copy moved or mirrored wrongly changes the answer."""
    inputs = keras.Input((48, 48, 1))
    dense = keras.layers.Dense(1, name="logit", dtype="float32")  # whatever policy an earlier test left
    logit = dense(keras.layers.Flatten(dtype="float32")(inputs))
    dense.set_weights([np.random.default_rng(0).normal(0, 0.05, (48 * 48, 1)).astype("float32"), np.zeros(1, "float32")])
    return keras.Model(inputs, keras.layers.Activation("sigmoid", dtype="float32")(logit))


def test_averaged_model_answers_the_mean_logit_of_its_moved_and_mirrored_copies(tmp_path):
    model = pixel_weighing_model()
    averaged = with_averaged_copies(model)
    images = np.random.default_rng(2).random((8, 48, 48, 1)).astype("float32")
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    copies = [moved(picture, dx, dy) for picture in (images, images[:, :, ::-1]) for dx, dy in MOVES]
    expected = np.mean([logit(np.asarray(model(copy, training=False)).ravel()) for copy in copies], axis=0)
    answer = np.asarray(averaged(images, training=False)).ravel()
    np.testing.assert_allclose(logit(answer), expected, rtol=1e-4, atol=1e-4)
    # a mirrored face gets exactly the same answer, and the file loads in safe mode
    np.testing.assert_allclose(np.asarray(averaged(images[:, :, ::-1], training=False)).ravel(), answer, atol=1e-6)
    save_model(averaged, tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras", compile=False, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(images, training=False)).ravel(), answer, atol=1e-6)


def test_averaging_keeps_the_answer_when_the_picture_moves_by_a_pixel():
    model = pixel_weighing_model()
    images = np.random.default_rng(3).random((32, 48, 48, 1)).astype("float32")

    def mean_move(candidate):
        here, there = (np.asarray(candidate(moved(images, dx, 0), training=False)).ravel() for dx in (0, 1))
        return np.abs(there - here).mean()

    assert mean_move(with_averaged_copies(model)) < 0.8 * mean_move(with_averaged_copies(model, moves=((0, 0),)))


def test_happy_vs_sad_is_the_softmax_restricted_to_happy_and_sad(make_model):
    """The saved model's P(sad) is the emotion network's P(sad | happy or sad)."""
    from happysad.train.notebook import run_steps
    network = run_steps("model")["make_model"]((48, 48, 1), classes=len(EMOTIONS))
    images = np.random.default_rng(3).random((4, 48, 48, 1)).astype("float32")
    emotions = np.asarray(network(images, training=False))
    happy, sad = emotions[:, EMOTIONS.index("happiness")], emotions[:, EMOTIONS.index("sadness")]
    p_sad = np.asarray(happy_vs_sad(network, EMOTIONS)(images, training=False)).ravel()
    np.testing.assert_allclose(p_sad, sad / (happy + sad), rtol=1e-4)


@pytest.mark.slow
def test_a_model_trained_at_another_input_size_predicts(dataset, tmp_path):
    """The input size is a parameter of the notebook; prediction reads it from the saved model."""
    from happysad.answer.classifier import load_classifier
    from happysad.answer.prediction import classify_photos
    steps = notebook_training(dataset, IMAGE_SIZE=40, EPOCHS=1)
    steps["model"].fit(steps["train_flow"], epochs=1, verbose=0)
    path = save_model(with_averaged_copies(happy_vs_sad(steps["model"], EMOTIONS)), tmp_path / "model.keras")
    model = load_classifier(path)
    assert model.input_shape == (None, 40, 40, 1)
    face("sad", 3, 96, "RGB").save(tmp_path / "face.png")
    (prediction,), errors = classify_photos(model, [tmp_path / "face.png"])
    assert not errors and 0 <= prediction.p_sad_vs_happy <= 1 and prediction.label in ("happy", "sad", "neither")


def test_bfloat16_where_the_cpu_computes_it_and_float32_elsewhere():
    from happysad.train.fitting import precision
    assert precision("auto", flags={"avx2", "avx512_bf16"}, gpus=0) == "mixed_bfloat16"
    assert precision("auto", flags={"avx2", "amx_bf16"}, gpus=0) == "mixed_bfloat16"
    assert precision("auto", flags={"avx2", "fma"}, gpus=0) == "float32"  # emulated: slower
    assert precision("auto", flags={"amx_bf16"}, gpus=1) == "float32"
    assert precision("float32", flags={"amx_bf16"}, gpus=0) == "float32"


def test_a_network_trained_in_mixed_precision_is_shipped_in_float32():
    from happysad.train.export import in_float32
    from happysad.train.notebook import run_steps
    build = run_steps("model")["make_model"]
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        network = build((48, 48, 1), classes=len(EMOTIONS))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert {layer.dtype_policy.name for layer in network.layers} >= {"mixed_bfloat16"}
    shipped = with_averaged_copies(happy_vs_sad(network, EMOTIONS))
    nested = next(layer for layer in shipped.layers if isinstance(layer, keras.Model))
    policies = {layer.dtype_policy.name for model in (shipped, nested) for layer in model.layers}
    assert policies == {"float32"}
    images = np.random.default_rng(4).random((4, 48, 48, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(in_float32(network)(images)), np.asarray(network(images)), atol=0.02)


def test_training_progress_is_written_for_tasks_py_and_the_time_left_printed_once(tmp_path, capsys):
    from happysad.train.progress import ESTIMATE_AFTER_STEPS, PACE_AFTER_STEPS, TrainingProgress
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    steps = PACE_AFTER_STEPS + ESTIMATE_AFTER_STEPS + 5
    data = np.random.default_rng(0).random((4 * steps, 4)).astype("float32")
    progress = tmp_path / "progress"
    callback = TrainingProgress(progress, validation_faces=8, scored_faces=5000)
    model.fit(data, data[:, :1], batch_size=4, epochs=3, verbose=0, validation_data=(data[:8], data[:8, :1]),
              callbacks=[callback])
    assert progress.read_text().startswith("training: epoch 3/3 [")
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2, printed  # early, from the first timed steps; then after the first epoch
    assert printed[0].startswith("measured on this machine:") and "evaluation included" in printed[0]
    assert "epoch 1 took" in printed[1] and "the other 2 epochs" in printed[1] and "to evaluate and save" in printed[1]
    assert callback.faces_per_second > 0  # validation's pace, for the scoring after training


def test_an_estimate_of_hours_names_the_quick_setting(capsys):
    from happysad.train.progress import TrainingProgress
    callback = TrainingProgress(progress_file=None)
    callback.epochs, callback.steps, callback.epoch = 25, 460, 0
    callback._print_estimate(per_step=1.2)  # a slow CPU: 25 epochs of 460 steps at 1.2 s
    printed = capsys.readouterr().out
    assert "4 h" in printed and "-p EPOCHS 10" in printed
    callback._print_estimate(per_step=0.1)
    assert "EPOCHS" not in capsys.readouterr().out
