"""A broken or hostile model file gives one clear line, never a traceback or code execution."""
import keras
import pytest

from happysad.__main__ import main
from happysad.answer.classifier import ModelError, load_classifier
from conftest import face


def assert_one_line_error(model_path, capsys, words):
    picture = model_path.parent / "picture.png"
    picture.parent.mkdir(parents=True, exist_ok=True)
    face("happy", 1, 96, "RGB").save(picture)  # a real picture: a missing one is said before any model loads
    assert main(["predict", str(picture), "--model", str(model_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(model_path) in err and words in err, err


def test_missing_model(tmp_path, capsys):
    assert_one_line_error(tmp_path / "happy_sad_model.keras", capsys, "no such model file")


def test_truncated_model(untrained_model_path, tmp_path, capsys):
    data = untrained_model_path.read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 2])
    assert_one_line_error(tmp_path / "cut.keras", capsys, "not a usable Keras model")


def test_non_keras_file(tmp_path, capsys):
    (tmp_path / "photo.keras").write_bytes(b"\xff\xd8\xff\xe0 a jpeg, renamed")
    assert_one_line_error(tmp_path / "photo.keras", capsys, "not a usable Keras model")


def test_wrong_input_shape(tmp_path, capsys):
    inputs = keras.Input((32, 40, 3))  # not square
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(inputs))
    keras.Model(inputs, outputs).save(tmp_path / "small.keras")
    assert_one_line_error(tmp_path / "small.keras", capsys, "(None, 32, 40, 3)")


def test_lambda_layer_with_code_is_refused_in_safe_mode(tmp_path):
    marker = tmp_path / "code_ran"
    inputs = keras.Input((64, 64, 1))
    x = keras.layers.Lambda(lambda t: t * 1.0)(inputs)  # arbitrary Python code inside the file
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling2D()(x))
    keras.Model(inputs, outputs).save(tmp_path / "lambda.keras")
    with pytest.raises(ModelError, match="safe_mode|Lambda|unsafe") as caught:
        load_classifier(tmp_path / "lambda.keras")
    assert "\n" not in str(caught.value) and not marker.exists()
