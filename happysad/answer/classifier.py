"""The saved model as it answers: P(sad) for a batch of faces, without TensorFlow.

A trained model is saved twice, side by side (happysad.train.export): `happy_sad_model.keras`,
the Keras model (for training, Grad-CAM, anyone's Keras code), and `happy_sad_model.tflite`,
the same network for LiteRT, which answers here: no TensorFlow to import (8 s per command),
and XNNPACK's kernels for a batch of one. The LiteRT file records the SHA-256 of the Keras
file it was made from; one made from another version is never used: the Keras file answers
instead (through TensorFlow), and a note says how to remake the fast one.
"""
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from ..config import SHIPPED_MODEL
from ..quiet import muted_stderr

FAST_SUFFIX = ".tflite"
METADATA_NAME = "happysad"  # the LiteRT file's metadata entry: {"keras_sha256": ..., "keras_file": ...}
THREADS = min(2, os.cpu_count() or 1)  # more threads than cores only queue; two keep a 2-core machine busy


class ModelError(RuntimeError):
    """The model file is missing or unusable; str() names the file and the problem."""


def fast_file(keras_path) -> Path:
    """Where the LiteRT file of a Keras model file lies: beside it, same name, `.tflite`."""
    return Path(keras_path).with_suffix(FAST_SUFFIX)


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def litert_interpreter():
    """LiteRT's Interpreter class: from `ai-edge-litert`, or, on a platform it has no wheel for,
    TensorFlow's own (the same runtime; importing TensorFlow costs seconds)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        from ..quiet import import_tensorflow_quietly

        import_tensorflow_quietly()
        from tensorflow.lite import Interpreter
    return Interpreter


def litert_schema():
    """The LiteRT file format's generated reader and writer (from wherever the interpreter comes)."""
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError:
        from tensorflow.lite.python import schema_py_generated
    return schema_py_generated


def read_metadata(tflite_bytes: bytes) -> dict:
    """The project's metadata entry in a LiteRT file ({} when it has none)."""
    schema = litert_schema()

    model = schema.Model.GetRootAs(tflite_bytes, 0)
    for index in range(model.MetadataLength()):
        entry = model.Metadata(index)
        if entry.Name() and entry.Name().decode() == METADATA_NAME:
            data = model.Buffers(entry.Buffer()).DataAsNumpy()
            return json.loads(bytes(data).decode()) if isinstance(data, np.ndarray) else {}
    return {}


class LiteRTClassifier:
    """A LiteRT happy/sad file: `classifier(batch)` -> (N, 1) P(sad), batch (N, size, size, channels)
    in [0, 1]. The interpreter is resized only when the batch size changes."""
    runtime = "LiteRT"

    def __init__(self, path, content: bytes):
        Interpreter = litert_interpreter()
        self.path = Path(path)
        try:
            with muted_stderr():  # XNNPACK says it is there
                self._interpreter = Interpreter(model_content=content, num_threads=THREADS)
        except (ValueError, RuntimeError) as error:
            raise ModelError(f"{path}: not a usable LiteRT model ({_first_line(error)})") from None
        inputs, outputs = self._interpreter.get_input_details(), self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{path}: a happy/sad model has one input and one output")
        self._input, self._output = inputs[0]["index"], outputs[0]["index"]
        self.input_shape = (None, *map(int, inputs[0]["shape"][1:]))
        self._batch = None
        _check_contract(path, self.input_shape, (None, *map(int, outputs[0]["shape"][1:])))

    def __call__(self, batch, training=False):
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if batch.shape[0] != self._batch:
            with muted_stderr():  # XNNPACK announces itself when the tensors are first laid out
                self._interpreter.resize_tensor_input(self._input, batch.shape, strict=False)
                self._interpreter.allocate_tensors()
            self._batch = batch.shape[0]
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()


class KerasClassifier:
    """The Keras file itself, through TensorFlow: used when no up-to-date LiteRT file is there."""
    runtime = "Keras"

    def __init__(self, path):
        from ..quiet import import_tensorflow_quietly

        import_tensorflow_quietly()
        import keras

        self.path = Path(path)
        try:
            self.model = keras.models.load_model(path, compile=False, safe_mode=True)
        except Exception as error:
            raise ModelError(f"{path}: not a usable Keras model ({_first_line(error)})") from None
        self.input_shape = tuple(self.model.input_shape)
        _check_contract(path, self.input_shape, tuple(self.model.output_shape))

    def __call__(self, batch, training=False):
        return np.asarray(self.model(np.asarray(batch, dtype=np.float32), training=False))


def _check_contract(path, input_shape, output_shape):
    square_image = len(input_shape) == 4 and input_shape[1] == input_shape[2] and input_shape[1] \
        and input_shape[3] in (1, 3)
    if not square_image or tuple(output_shape) != (None, 1):
        raise ModelError(f"{path}: takes {input_shape} and returns {output_shape}; a happy/sad model takes "
                         "square images, (None, size, size, 1 or 3), and returns (None, 1)")


def _first_line(error) -> str:
    return shortened((str(error).strip().splitlines() or [type(error).__name__])[0])


def shortened(text: str, limit: int = 300) -> str:
    """`text`, cut at a word boundary with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + " ..."


_loaded = {}


def load_classifier(path=SHIPPED_MODEL, note=True):
    """The classifier for the model file at `path`, loaded once per version of it and of its fast file.

    A `.keras` path answers through its LiteRT file when that was made from this very file;
    otherwise through the Keras file, with a note on stderr (unless `note` is false) saying why
    and how to remake the fast file. A `.tflite` path is used as it is. Raises ModelError, one
    line, on any problem.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such model file (`python tasks.py run` trains one; the shipped one is "
                         f"{SHIPPED_MODEL})")
    fast = fast_file(path)
    key = (path.resolve(), path.stat().st_mtime_ns, fast.is_file() and fast.stat().st_mtime_ns)
    if key not in _loaded:
        _loaded[key] = _load(path, note)
    return _loaded[key]


def _load(path: Path, note):
    if path.suffix == FAST_SUFFIX:
        return LiteRTClassifier(path, path.read_bytes())
    fast = fast_file(path)
    if fast.is_file():
        content = fast.read_bytes()
        try:
            made_from = read_metadata(content).get("keras_sha256")
        except Exception:  # not a LiteRT file at all: said below, as for a stale one
            made_from = None
        if made_from == file_sha256(path):
            return LiteRTClassifier(fast, content)
        reason = f"{fast} was not made from this version of {path.name}"
    else:
        reason = f"{path} has no LiteRT file beside it ({fast.name})"
    classifier = KerasClassifier(path)  # a broken file is said first, and alone
    if note:
        print(f"note: {reason}: answering with the Keras file, through TensorFlow (slower to start); "
              f"`python -m happysad export {path}` makes the fast file", file=sys.stderr)
    return classifier
