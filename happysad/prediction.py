"""Load the saved model and classify image files: label and confidence for each."""
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import CLASS_NAMES, IMAGE_SIZE, MODEL_FILENAME
from .data_import import HOLDOUT_DIR
from .images import IMAGE_SUFFIXES, ImageError, read_image, to_model_input


class ModelError(RuntimeError):
    """The model file is missing or unusable; str() names the file and the problem."""


@dataclass
class Prediction:
    path: str
    p_sad: float

    @property
    def label(self) -> str:
        return CLASS_NAMES[int(self.p_sad >= 0.5)]

    @property
    def confidence(self) -> float:
        return max(self.p_sad, 1 - self.p_sad)

    def __str__(self):
        return f"{self.label}, {self.confidence:.0%} confident"


_loaded = {}


def load_classifier(path=MODEL_FILENAME):
    """The Keras model at `path` (loaded once per file version), in Keras' safe mode.

    Safe mode refuses a file whose layers carry Python code (a Lambda layer): loading
    a model must never run code from it. Raises ModelError, one line, on any problem.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no model file here (train one with the notebook first)")
    key = (path.resolve(), path.stat().st_mtime_ns)
    if key not in _loaded:
        import keras
        try:
            model = keras.models.load_model(path, compile=False, safe_mode=True)
        except Exception as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise ModelError(f"{path}: not a usable Keras model ({first_line[:300]})") from None
        expected = [(None, IMAGE_SIZE, IMAGE_SIZE, 1), (None, IMAGE_SIZE, IMAGE_SIZE, 3)]
        if tuple(model.input_shape) not in expected or tuple(model.output_shape) != (None, 1):
            raise ModelError(f"{path}: takes {model.input_shape} and returns {model.output_shape}; "
                             f"a happy/sad model takes (None, {IMAGE_SIZE}, {IMAGE_SIZE}, 1 or 3) "
                             "and returns (None, 1)")
        _loaded[key] = model
    return _loaded[key]


def model_color_mode(model) -> str:
    return "grayscale" if model.input_shape[-1] == 1 else "rgb"


def classify_images(model, paths, batch_size=64):
    """(predictions, errors) for image paths; an unreadable file becomes an ImageError in errors."""
    color_mode = model_color_mode(model)
    readable, arrays, errors = [], [], []
    for path in paths:
        try:
            arrays.append(to_model_input(read_image(path), color_mode, IMAGE_SIZE))
            readable.append(str(path))
        except ImageError as error:
            errors.append(error)
    predictions = []
    for start in range(0, len(arrays), batch_size):
        batch = np.stack(arrays[start:start + batch_size])
        p_sad = np.asarray(model(batch, training=False)).ravel()  # direct call: much faster than predict()
        predictions += [Prediction(p, float(q)) for p, q in zip(readable[start:], p_sad)]
    return predictions, errors


def random_heldout_image(data_dir=".", seed=None) -> str:
    """A random image from holdout/ (else from happy/ and sad/), for the demo cell."""
    for folders in ([Path(data_dir, HOLDOUT_DIR, c) for c in CLASS_NAMES], [Path(data_dir, c) for c in CLASS_NAMES]):
        images = sorted(p for f in folders if f.is_dir() for p in f.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if images:
            return str(random.Random(seed).choice(images))
    raise FileNotFoundError(f"no images under {Path(data_dir).resolve()}: import some first")


def show_prediction(image_path=None, model_path=MODEL_FILENAME, data_dir="."):
    """Classify one image, print '<file>: sad, 87% confident' and show the image with its label."""
    from .plots import show_labelled_image

    image_path = image_path or random_heldout_image(data_dir)
    predictions, errors = classify_images(load_classifier(model_path), [image_path])
    if errors:
        raise errors[0]
    prediction = predictions[0]
    print(f"{image_path}: {prediction}")
    show_labelled_image(read_image(image_path), f"{prediction.label} ({prediction.confidence:.0%})")
    return prediction
