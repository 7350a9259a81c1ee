"""The saved model as it answers: the eight FER+ emotion logits of a batch of faces, read as
happy, sad or neither (happysad.answer.emotions), without TensorFlow.

A trained model is saved twice, side by side (happysad.train.export): `happy_sad_model.keras`,
the Keras model (for training, Grad-CAM, anyone's Keras code: it answers P(sad | happy or sad)),
and `happy_sad_model.tflite`, its network for LiteRT up to the eight emotion logits, which answers
here: no TensorFlow to import, and XNNPACK's kernels for a batch of one. The LiteRT file records
the SHA-256 of the Keras file it was made from and the temperature of P(sad | happy or sad) on its
logits (the three answers' own is folded into the logits themselves);
one made from another version, or by an older happysad (one logit, no emotions), is never used:
the Keras file answers instead (through TensorFlow), and a note says how to remake the fast one.

Copies are the answering side's choice. The Keras file answers the mean logit of ten copies of
each face (the face and its mirror image, each as it is and moved one pixel four ways); the
LiteRT file runs the network once, on one copy, and a classifier makes the copies itself and
averages their eight logits when asked: `classifier.answer(batch, copies=10)` (the default) reads
faces as the Keras file does, `copies=1` is one pass, ten times less work, for video, where the
smoothing over frames already averages many views of each face as it moves.
"""
import hashlib
import sys
from pathlib import Path

import numpy as np

from ..config import COPY_CHOICES, EMOTIONS, MOVES, ONE_PASS, SHIPPED_MODEL, STEADY
from ..quiet import muted_stderr
from ..vision import litert
from .emotions import answers_from_logits, sad_vs_happy

FAST_SUFFIX = ".tflite"
# The LiteRT file's metadata entry (happysad.vision.litert.METADATA_NAME) holds {"keras_sha256",
# "keras_file", "answer", "emotions", "temperature"}.
RUN_BATCH = 64  # views run through the network at a time (docs/speed.md: why not more)
# The LiteRT file's metadata "answer": it outputs the eight emotion logits, one pass ("logit": an older
# happysad's file, the logit of P(sad) alone, never used)
EMOTION_LOGITS_ANSWER = "emotion_logits"


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


class Classifier:
    """A model as it answers. `classifier.answer(batch, copies=10)` -> an Answer per face (happysad.
    answer.emotions), batch (N, size, size, channels) in [0, 1], from the network's eight emotion
    logits averaged over `copies` views of each face (copies_of); `classifier(batch, copies=10)` ->
    (N, 1) P(sad | happy or sad), the Keras file's own output. Subclasses give `logits(batch)`, one
    pass, (n, 8), and `temperature`, P(sad | happy or sad)'s on those logits."""
    runtime = ""
    input_shape: tuple
    temperature: float

    def emotion_logits(self, batch, copies=STEADY) -> np.ndarray:
        """(N, 8): each face's eight logits, averaged over its copies."""
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        views = copies_of(batch, copies)
        logits = [np.asarray(self.logits(views[i:i + RUN_BATCH])).reshape(-1, len(EMOTIONS))
                  for i in range(0, len(views), RUN_BATCH)]
        logits = np.concatenate(logits) if logits else np.zeros((0, len(EMOTIONS)), np.float32)
        return logits.reshape(copies, len(batch), len(EMOTIONS)).mean(axis=0, dtype=np.float64)

    def answer(self, batch, copies=STEADY) -> list:
        return answers_from_logits(self.emotion_logits(batch, copies), self.temperature)

    def __call__(self, batch, training=False, copies=STEADY):
        return sad_vs_happy(self.emotion_logits(batch, copies), self.temperature).astype(np.float32)[:, None]


class LiteRTClassifier(Classifier):
    """A LiteRT file made by happysad: the network up to its eight emotion logits, and in its metadata
    the temperature. The interpreter is resized only when the batch size changes."""
    runtime = "LiteRT"

    def __init__(self, path, content: bytes, metadata: dict, threads=None):
        self.path = Path(path)
        if tuple(metadata.get("emotions", ())) != EMOTIONS or not metadata.get("temperature"):
            raise ModelError(f"{path}: its metadata does not name the eight FER+ emotions and a temperature "
                             "(`python -m happysad export MODEL.keras` remakes it)")
        self.temperature = float(metadata["temperature"])
        try:
            self._interpreter = litert.interpreter(threads or litert.default_threads(), model_content=content)
        except (ValueError, RuntimeError) as error:
            raise ModelError(f"{path}: not a usable LiteRT model ({_first_line(error)})") from None
        inputs, outputs = self._interpreter.get_input_details(), self._interpreter.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{path}: a happy/sad model has one input and one output")
        self._input, self._output = inputs[0]["index"], outputs[0]["index"]
        self.input_shape = (None, *map(int, inputs[0]["shape"][1:]))
        self._batch = None
        _check_contract(path, self.input_shape, (None, *map(int, outputs[0]["shape"][1:])), (None, len(EMOTIONS)))

    def logits(self, batch):
        if batch.shape[0] != self._batch:
            with muted_stderr():  # XNNPACK announces itself when the tensors are first laid out
                self._interpreter.resize_tensor_input(self._input, batch.shape, strict=False)
                self._interpreter.allocate_tensors()
            self._batch = batch.shape[0]
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()


class KerasClassifier(Classifier):
    """The Keras file itself, through TensorFlow: used when no up-to-date LiteRT file is there. Its
    network runs once per copy, as the LiteRT file's does (emotion_network)."""
    runtime = "Keras"

    def __init__(self, path, model=None):
        """The Keras file at `path`, or, given `model`, that model in memory (`path` naming it)."""
        from ..quiet import import_tensorflow_quietly

        import_tensorflow_quietly()
        import keras

        self.path, self.model = Path(path), model
        try:
            self.model = model or keras.models.load_model(path, compile=False, safe_mode=True)
        except Exception as error:
            raise ModelError(f"{path}: not a usable Keras model ({_first_line(error)})") from None
        self.input_shape = tuple(self.model.input_shape)
        _check_contract(path, self.input_shape, tuple(self.model.output_shape), (None, 1))
        found = emotion_network(self.model)
        if found is None:
            raise ModelError(f"{path}: has no layers named 'emotion_logits' and 'logit'; a happysad model answers "
                             "from the eight FER+ emotion logits (the notebook's make_model and happy_vs_sad)")
        self.network, self.temperature = found

    def logits(self, batch):
        return np.asarray(self.network(batch, training=False))


def find_layer(model, name: str) -> tuple:
    """(the network holding the layer named `name`: the model itself, or a network nested in it at any
    depth; that layer), or (None, None). The one way the project finds the `logit` and
    `emotion_logits` layers of a saved model, averaged or not."""
    import keras

    if name in [layer.name for layer in model.layers]:
        return model, model.get_layer(name)
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found = find_layer(layer, name)
            if found[0] is not None:
                return found
    return None, None


def emotion_network(model):
    """(the network run once, picture -> its eight emotion logits; the temperature of P(sad | happy or
    sad) on those logits, folded into its `logit` layer) from a happysad Keras model, which answers
    P(sad) from them directly or averages copies of them inside (held as a nested model); None for
    a model without those layers."""
    import keras

    network, logit = find_layer(model, "logit")
    if network is None or "emotion_logits" not in [layer.name for layer in network.layers]:
        return None
    emotions = keras.Model(network.input, network.get_layer("emotion_logits").output, name=f"{network.name}_emotions")
    kernel = np.asarray(logit.get_weights()[0]).ravel()
    return emotions, float(1 / kernel[EMOTIONS.index("sadness")])


def _check_contract(path, input_shape, output_shape, wanted_output):
    square_image = len(input_shape) == 4 and input_shape[1] == input_shape[2] and input_shape[1] \
        and input_shape[3] in (1, 3)
    if not square_image or tuple(output_shape) != wanted_output:
        raise ModelError(f"{path}: takes {input_shape} and returns {output_shape}; a happy/sad model takes "
                         f"square images, (None, size, size, 1 or 3), and returns {wanted_output}")


def _first_line(error) -> str:
    return shortened((str(error).strip().splitlines() or [type(error).__name__])[0])


def shortened(text: str, limit: int = 300) -> str:
    """`text`, cut at a word boundary with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + " ..."


_loaded = {}


def load_classifier(path=SHIPPED_MODEL, note=True, threads=None):
    """The classifier for the model file at `path`, loaded once per version of it and of its fast file
    and per `threads` (LiteRT's; None: happysad.vision.litert.default_threads()).

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
    key = (path.resolve(), path.stat().st_mtime_ns, fast.is_file() and fast.stat().st_mtime_ns, threads)
    if key not in _loaded:
        _loaded[key] = _load(path, note, threads)
    return _loaded[key]


def _metadata_of(content: bytes) -> dict:
    try:
        return litert.read_metadata(content)
    except Exception:  # not a LiteRT file at all: said where it is used
        return {}


def _load(path: Path, note, threads):
    if path.suffix == FAST_SUFFIX:
        content = path.read_bytes()
        metadata = _metadata_of(content)
        if metadata.get("answer") != EMOTION_LOGITS_ANSWER:
            raise ModelError(f"{path}: not a LiteRT file of this happysad (it does not answer the eight emotion "
                             "logits); `python -m happysad export MODEL.keras` makes one")
        return LiteRTClassifier(path, content, metadata, threads)
    fast = fast_file(path)
    if fast.is_file():
        content = fast.read_bytes()
        metadata = _metadata_of(content)
        if metadata.get("keras_sha256") == file_sha256(path) and metadata.get("answer") == EMOTION_LOGITS_ANSWER:
            return LiteRTClassifier(fast, content, metadata, threads)
        if metadata.get("keras_sha256") == file_sha256(path):
            reason = f"{fast} was made by an older happysad (without the eight emotions)"
        else:
            reason = f"{fast} was not made from this version of {path.name}"
    else:
        reason = f"{path} has no LiteRT file beside it ({fast.name})"
    classifier = KerasClassifier(path)  # a broken file is said first, and alone
    if note:
        print(f"note: {reason}: answering with the Keras file, through TensorFlow (slower to start); "
              f"`python -m happysad export {path}` makes the fast file", file=sys.stderr)
    return classifier
