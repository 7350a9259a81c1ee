"""Training helpers: class weights for the imbalance, reproducibility, several GPUs, atomic saving."""
import os
import tempfile
from pathlib import Path

import keras
import numpy as np


def balanced_class_weights(labels) -> dict:
    """{class: weight} so that each class contributes equally to the loss."""
    counts = np.bincount(np.asarray(labels, dtype=int), minlength=2)
    return {c: len(labels) / (2 * n) for c, n in enumerate(counts) if n}


def make_reproducible(seed: int):
    """Seed Python, NumPy and TensorFlow and make TF ops deterministic: same seed, same run (on CPU)."""
    import tensorflow as tf
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def distribution_strategy(devices=None):
    """MirroredStrategy when several GPUs are visible (or over `devices`); else the default strategy.

    Build the model inside `strategy.scope()`; `fit` then splits each batch across replicas.
    """
    import tensorflow as tf
    if devices or len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy(devices)
    return tf.distribute.get_strategy()


class SaveError(OSError):
    """The model could not be written; the previous file at that path is untouched."""


def save_model(model, path):
    """Write the model next to `path`, then rename it into place.

    A crash, a full disk or a read-only folder never leaves half a file: the old
    model stays whole until the new one is complete.
    """
    path = Path(path)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp.keras", dir=path.parent)
        os.close(handle)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a model file is an ordinary file
        model.save(temporary)
        os.replace(temporary, path)
    except OSError as error:
        raise SaveError(f"cannot save the model to {path}: {error.strerror or error}") from None
    finally:
        if temporary and os.path.exists(temporary):
            os.remove(temporary)
    return path
