"""Training: class weights for the imbalance, the best validation epoch kept, atomic saving."""
import os
import tempfile
from pathlib import Path

import keras
import numpy as np


def balanced_class_weights(labels) -> dict:
    """{class: weight} so that each class contributes equally to the loss."""
    counts = np.bincount(np.asarray(labels, dtype=int), minlength=2)
    return {c: len(labels) / (2 * n) for c, n in enumerate(counts) if n}


def train(model, train_flow, validation_flow, epochs, checkpoint_path, patience=6, verbose=2):
    """Fit, then reload the epoch with the lowest validation loss; returns (best model, history)."""
    checkpoint_path = str(checkpoint_path)
    Path(checkpoint_path).parent.mkdir(parents=True, exist_ok=True)
    callbacks = [
        keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=max(1, patience // 2)),
    ]
    history = model.fit(train_flow, validation_data=validation_flow, epochs=epochs, callbacks=callbacks,
                        class_weight=balanced_class_weights(train_flow.classes), verbose=verbose)
    return keras.models.load_model(checkpoint_path), history.history


def save_model(model, path):
    """Write the model next to `path`, then rename it into place: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".tmp.keras", dir=path.parent)
    os.close(handle)
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path
