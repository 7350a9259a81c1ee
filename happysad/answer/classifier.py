"""The saved model as it answers: P(sad) for a batch of faces, without TensorFlow.

A trained model is saved twice, side by side (happysad.train.export): `happy_sad_model.keras`,
the Keras model (for training, Grad-CAM, anyone's Keras code), and `happy_sad_model.tflite`,
the same network for LiteRT, which answers here: no TensorFlow to import (8 s per command),
and XNNPACK's kernels for a batch of one. The LiteRT file records the SHA-256 of the Keras
file it was made from; one made from another version is never used: the Keras file answers
instead (through TensorFlow), and a note says how to remake the fast one.

Copies are the answering side's choice. The Keras file answers the mean logit of ten copies of
each face (the face and its mirror image, each as it is and moved one pixel four ways); the
LiteRT file runs the network once, on one copy, and a classifier makes the copies itself when
asked: `classifier(batch, copies=10)` answers as the Keras file does (the default),
`copies=1` is one pass, ten times less work, for video, where the smoothing over frames already
averages many views of each face as it moves.
"""
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from ..config import COPY_CHOICES, MOVES, ONE_PASS, SHIPPED_MODEL, STEADY
from ..quiet import muted_stderr

FAST_SUFFIX = ".tflite"
METADATA_NAME = "happysad"  # the LiteRT file's metadata entry: {"keras_sha256": ..., "keras_file": ...}
THREADS = min(2, os.cpu_count() or 1)  # more threads than cores only queue; two keep a 2-core machine busy
# Views run through the network at a time: on a 2-core CPU, 16 to 64 at a time run fastest
# (their activations stay in the caches); a batch of 256 faces x 10 copies at once runs 15% slower.
RUN_BATCH = 64
LOGIT_ANSWER = "logit"  # the LiteRT file's metadata "answer": it outputs the logit of P(sad), one pass


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


def copies_of(batch: np.ndarray, copies: int = STEADY) -> np.ndarray:
    """`copies` views of each face in the batch (N, size, size, channels), copy after copy:
    (copies * N, ...). 1: the faces as they are; 10: each of MOVES, then each on the mirror image,
    edge pixels repeated where a move uncovers them (as the Keras file's own layers do)."""
    if copies not in COPY_CHOICES:
        raise ValueError(f"copies: {copies}; the choices are {', '.join(map(str, COPY_CHOICES))}")
    if copies == ONE_PASS:
        return batch
    height, width = batch.shape[1:3]
    views = []
    for picture in (batch, batch[:, :, ::-1]):
        for dx, dy in MOVES:
            rows, columns = np.clip(np.arange(height) - dy, 0, height - 1), np.clip(np.arange(width) - dx, 0, width - 1)
            views.append(picture[:, rows][:, :, columns])
    return np.concatenate(views)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-logits))


class Classifier:
    """A happy/sad model as it answers: `classifier(batch, copies=10)` -> (N, 1) P(sad), batch
    (N, size, size, channels) in [0, 1], from the network's logit averaged over `copies` views of
    each face (copies_of). Subclasses give `logits(batch)`, one pass; a model file that answers
    P(sad) itself (a LiteRT file not made by happysad) gives `_p_sad` instead and answers as it is."""
    runtime = ""
    input_shape: tuple
    averages_copies = True  # False: the file answers P(sad) itself, whatever `copies` asks

    def __call__(self, batch, training=False, copies=STEADY):
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        if not self.averages_copies:
            return self._p_sad(batch)
        views = copies_of(batch, copies)
        logits = np.concatenate([self.logits(views[i:i + RUN_BATCH]) for i in range(0, len(views), RUN_BATCH)]
                                or [np.zeros(0, np.float32)]).reshape(copies, len(batch))
        return _sigmoid(logits.mean(axis=0, dtype=np.float64)).astype(np.float32)[:, None]


class LiteRTClassifier(Classifier):
    """A LiteRT file. The interpreter is resized only when the batch size changes."""
    runtime = "LiteRT"

    def __init__(self, path, content: bytes, answers_logit: bool = False):
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
        self.averages_copies = answers_logit
        self._batch = None
        _check_contract(path, self.input_shape, (None, *map(int, outputs[0]["shape"][1:])))

    def _run(self, batch):
        if batch.shape[0] != self._batch:
            with muted_stderr():  # XNNPACK announces itself when the tensors are first laid out
                self._interpreter.resize_tensor_input(self._input, batch.shape, strict=False)
                self._interpreter.allocate_tensors()
            self._batch = batch.shape[0]
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()

    def logits(self, batch):
        return self._run(batch).ravel()

    _p_sad = _run


class KerasClassifier(Classifier):
    """The Keras file itself, through TensorFlow: used when no up-to-date LiteRT file is there. Its
    network runs once per copy, as the LiteRT file's does (one_pass_network)."""
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
        self.network = one_pass_network(self.model)
        self.averages_copies = self.network is not None

    def logits(self, batch):
        return np.asarray(self.network(batch, training=False)).ravel()

    def _p_sad(self, batch):
        return np.asarray(self.model(batch, training=False))


def one_pass_network(model):
    """The happy/sad model's network run once, picture -> logit of P(sad) (the Dense layer named
    `logit`), from a Keras model that answers with it directly or averages copies of it inside
    (held as a nested model); None for a model without that layer."""
    import keras

    names = [layer.name for layer in model.layers]
    if "logit" in names:
        return keras.Model(model.input, model.get_layer("logit").output, name=f"{model.name}_logit")
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            inner = one_pass_network(layer)
            if inner is not None:
                return inner
    return None


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


def _metadata_of(content: bytes) -> dict:
    try:
        return read_metadata(content)
    except Exception:  # not a LiteRT file at all: said where it is used
        return {}


def _load(path: Path, note):
    if path.suffix == FAST_SUFFIX:
        content = path.read_bytes()
        return LiteRTClassifier(path, content, _metadata_of(content).get("answer") == LOGIT_ANSWER)
    fast = fast_file(path)
    if fast.is_file():
        content = fast.read_bytes()
        metadata = _metadata_of(content)
        if metadata.get("keras_sha256") == file_sha256(path) and metadata.get("answer") == LOGIT_ANSWER:
            return LiteRTClassifier(fast, content, answers_logit=True)
        if metadata.get("keras_sha256") == file_sha256(path):
            reason = f"{fast} was made by an older happysad (with the copies inside)"
        else:
            reason = f"{fast} was not made from this version of {path.name}"
    else:
        reason = f"{path} has no LiteRT file beside it ({fast.name})"
    classifier = KerasClassifier(path)  # a broken file is said first, and alone
    if note:
        print(f"note: {reason}: answering with the Keras file, through TensorFlow (slower to start); "
              f"`python -m happysad export {path}` makes the fast file", file=sys.stderr)
    return classifier
