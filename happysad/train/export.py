"""From the trained emotion network to the shipped files: the happy/sad answer, averaged copies,
the temperature folded in, an atomic save, and the LiteRT file that answers.

The saved model's contract: a batch (N, size, size, channels) of values in [0, 1] in, P(sad) out,
from a sigmoid over a Dense layer named `logit` (calibration and Grad-CAM find it by that name).
"""
import contextlib
import logging
import tempfile
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ..answer.classifier import EMOTION_LOGITS_ANSWER, emotion_network, fast_file, file_sha256, find_layer
from ..config import EMOTIONS, MOVES
from ..files import atomic_path, write_atomically
from ..quiet import muted_stderr
from ..vision.litert import with_metadata


def in_float32(network):
    """The network computing in float32. One trained in mixed precision keeps bfloat16 layers;
    the shipped file must run alike, and fast, on every CPU (bfloat16 is emulated on most)."""
    if all(layer.dtype_policy.name == "float32" for layer in network.layers):
        return network

    def float32_layer(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": "float32"})

    clone = keras.models.clone_model(network, clone_function=float32_layer)
    clone.set_weights(network.get_weights())
    return clone


def happy_vs_sad(network, emotions, happy="happiness", sad="sadness"):
    """The emotion network as the saved model's contract: P(sad) = sigmoid(z_sad - z_happy).

    That is the network's softmax restricted to the two classes, P(sad | happy or sad), however
    much it believes in the other emotions. The difference of the two logits is a fixed Dense
    layer named `logit`. A network trained in mixed precision is rebuilt in float32 first.
    """
    network = in_float32(network)
    logits = network.get_layer("emotion_logits").output
    difference = layers.Dense(1, name="logit", dtype="float32")
    logit = difference(logits)
    kernel = np.zeros((len(emotions), 1), dtype="float32")
    kernel[emotions.index(sad)], kernel[emotions.index(happy)] = 1.0, -1.0
    difference.set_weights([kernel, np.zeros(1, dtype="float32")])
    return keras.Model(network.input, layers.Activation("sigmoid", name="p_sad", dtype="float32")(logit),
                       name="happy_sad_cnn")


def with_averaged_copies(model, moves=MOVES):
    """The happy/sad model inside one that answers the mean of its logits over copies of the
    picture: itself moved by each of `moves` (edge pixels repeated), and the mirror image of each.
    A mirrored face shows the same expression, and a detector's box lands a pixel or two apart
    from one picture of a face to the next: averaging over both keeps the answer where it is when
    the face moves (docs/experiments.md measures how much), at one network pass per copy.
    Test-time augmentation that every caller of the saved file gets; its layers compute in float32
    whatever the global policy.
    """
    network = keras.Model(model.input, model.get_layer("logit").output, name=model.name)
    inputs = keras.Input(model.input_shape[1:], name="image")
    height, width = model.input_shape[1:3]
    mirrored = _linear_map(np.eye(width, dtype="float32")[::-1], axis=2, name="mirror")(inputs)
    shift = {(axis, distance): _linear_map(_shift_matrix(size, distance), axis,
                                           f"move_{'xy'[2 - axis]}_{'plus' if distance > 0 else 'minus'}{abs(distance)}")
             for axis, size, index in ((2, width, 0), (1, height, 1))
             for distance in {move[index] for move in moves} - {0}}  # each shared by picture and mirror image

    def moved(images, dx, dy):
        for key in ((2, dx), (1, dy)):
            images = shift[key](images) if key[1] else images
        return images

    logits = [network(moved(picture, dx, dy)) for picture in (inputs, mirrored) for dx, dy in moves]
    mean = layers.Average(name="mean_logit", dtype="float32")(logits) if len(logits) > 1 else logits[0]
    outputs = layers.Activation("sigmoid", name="p_sad", dtype="float32")(mean)
    return keras.Model(inputs, outputs, name="happy_sad_cnn_averaged")


def _shift_matrix(size: int, distance: int) -> np.ndarray:
    """M with (x @ M)[j] = x[j - distance], the edge value repeated where that falls outside."""
    matrix = np.zeros((size, size), dtype="float32")
    matrix[np.clip(np.arange(size) - distance, 0, size - 1), np.arange(size)] = 1.0
    return matrix


def _linear_map(matrix, axis, name):
    """A fixed linear map along the image's width (axis 2) or height (axis 1), as a callable on
    image tensors, from standard layers only (a Lambda could not load in safe mode): that axis
    moved last, a Dense layer holding the matrix, moved back."""
    to_last, back = ((1, 3, 2), (1, 3, 2)) if axis == 2 else ((2, 3, 1), (3, 1, 2))
    dense = layers.Dense(len(matrix), use_bias=False, trainable=False, name=name, dtype="float32")
    dense.build((None, len(matrix)))
    dense.set_weights([matrix])
    return lambda images: layers.Permute(back, dtype="float32")(dense(layers.Permute(to_last, dtype="float32")(images)))


def logit_layer(model, name="logit"):
    """The layer named `name` (by default the Dense layer whose output is the logit of P(sad)), in the
    model or in the network it wraps (happysad.answer.classifier.find_layer)."""
    layer = find_layer(model, name)[1]
    if layer is None:
        raise ValueError(f"{model.name} has no layer named {name!r}")
    return layer


def fold_temperature(model, temperature: float):
    """Divide the logit layer's weights by T, in place: the model now outputs sigmoid(logit / T),
    the calibrated P(sad) (happysad.train.calibration fits T)."""
    layer = logit_layer(model)
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel / temperature, bias / temperature])
    return model


def fold_emotion_temperature(model, temperature: float):
    """Divide the eight emotion logits by T, in place, and multiply the `logit` layer's weights by T:
    the three answers read from the logits are now calibrated (happysad.train.calibration fits T),
    and P(sad) is what it was."""
    emotions, difference = logit_layer(model, "emotion_logits"), logit_layer(model)
    emotions.set_weights([weight / temperature for weight in emotions.get_weights()])
    kernel, bias = difference.get_weights()
    difference.set_weights([kernel * temperature, bias])
    return model


class SaveError(OSError):
    """The model could not be written; the previous file at that path is untouched."""


def save_model(model, path):
    """Write the model beside `path`, then rename it into place: a crash, a full disk or a
    read-only folder never leaves half a file, and the old model stays whole until the new one is."""
    try:
        with atomic_path(path) as temporary:
            model.save(temporary)
    except OSError as error:
        raise SaveError(f"cannot save the model to {path}: {error.strerror or error}") from None
    return path


def export_litert(model, keras_path) -> Path:
    """Write the LiteRT file that answers for the Keras file at `keras_path` (already saved from
    `model`): beside it, `.tflite`, the network once (picture -> its eight emotion logits; the
    answering side makes the copies it averages and reads the logits three ways, happysad.answer),
    carrying in its metadata the emotions' names, the temperature of the model's `logit` layer and
    the Keras file's SHA-256, so that it is never used for another version of it. Atomic, like save_model."""
    keras_path = Path(keras_path)
    target = fast_file(keras_path)
    found = emotion_network(model)
    if found is None:
        raise SaveError(f"cannot export {target}: the model has no layers named 'emotion_logits' and 'logit'")
    network, temperature = found
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder, "model.tflite")
        try:
            with muted_stderr(), _quiet_tensorflow_logger():  # the converter's log lines, C++ and Python
                network.export(str(plain), format="litert", verbose=False)
        except OSError as error:
            raise SaveError(f"cannot export {target}: {error.strerror or error}") from None
        content = with_metadata(plain.read_bytes(), {
            "keras_sha256": file_sha256(keras_path), "keras_file": keras_path.name, "answer": EMOTION_LOGITS_ANSWER,
            "emotions": list(EMOTIONS), "temperature": temperature})
    try:
        write_atomically(target, content)
    except OSError as error:
        raise SaveError(f"cannot save {target}: {error.strerror or error}") from None
    return target


@contextlib.contextmanager
def _quiet_tensorflow_logger():
    """TensorFlow's Python logger at ERROR for the duration ("INFO: Assets written to ..."), which a
    notebook would otherwise show under the cell."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_keras_model(path):
    """The Keras model in a saved file, in safe mode (a file whose layers carry code is refused)."""
    return keras.models.load_model(path, compile=False, safe_mode=True)
