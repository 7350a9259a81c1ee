"""How fast would a network answer? Untrained candidates, each converted to LiteRT as the shipped
file is (happy/sad head, float32, XNNPACK, two threads) and timed as `compare_models` times the
shipped file: faces/s at batch 256 and the median time of one face, next to their multiply-adds.
For choosing a network that can answer at `fer`'s speed before spending a training run on it.

    .venv/bin/python experiments/architecture_speed.py [NAME ...]     # all candidates, or those named

Backs docs/experiments.md, "A leaner network for `fer`'s speed".
"""
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from one_pass_probe import half_resolution, macs_per_face

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import keras
from happysad.answer.classifier import LiteRTClassifier
from happysad.train.export import happy_vs_sad
from happysad.train.notebook import run_steps
from happysad.data.votes import EMOTIONS
from keras import layers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))  # its timing and scoring helpers
from timing import images_per_second, milliseconds_for_one_face  # noqa: E402


SHAPE = (48, 48, 1)
WIDE = ((32, 2), (64, 2), (128, 2), (256, 2))  # the shipped network's blocks
notebook = run_steps("model")  # make_model and blurred_max_pooling, the notebook's own (commit b81614e)
make_model, blurred_max_pooling = notebook["make_model"], notebook["blurred_max_pooling"]


def separable(blocks):
    """The notebook's network with every convolution but the first depthwise-separable."""
    inputs = keras.Input(SHAPE)
    x = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(blocks[0][0], 3, padding="same", use_bias=False)(inputs)))
    for index, (filters, convolutions) in enumerate(blocks):
        for _ in range(convolutions - (index == 0)):
            x = layers.ReLU()(layers.BatchNormalization()(layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x)))
        if index < len(blocks) - 1:
            x = blurred_max_pooling(x)
    x = layers.Dense(256, activation="relu")(layers.GlobalAveragePooling2D()(x))
    logits = layers.Dense(len(EMOTIONS), name="emotion_logits")(layers.Dropout(0.5)(x))
    return keras.Model(inputs, layers.Softmax()(logits))


def widths(*filters, dense_units=256, convolutions=2):
    return lambda: make_model(SHAPE, len(EMOTIONS), blocks=tuple((f, convolutions) for f in filters),
                              dense_units=dense_units)


def stem(name):
    return lambda: half_resolution(blurred_max_pooling, WIDE, 256, name)(SHAPE, len(EMOTIONS))


CANDIDATES = {
    "shipped network": widths(32, 64, 128, 256),
    "16-32-64-128, dense 128": widths(16, 32, 64, 128, dense_units=128),
    "16-32-64-192, dense 192": widths(16, 32, 64, 192, dense_units=192),
    "20-40-80-160, dense 160": widths(20, 40, 80, 160, dense_units=160),
    "24-48-96-192, dense 192": widths(24, 48, 96, 192, dense_units=192),
    "one convolution a block": widths(32, 64, 128, 256, convolutions=1),
    "separable 48-96-192-384": lambda: separable(((48, 2), (96, 2), (192, 2), (384, 2))),
    "half resolution (blurred stride)": stem("blurred stride"),
    "16 then max pool, then 32-256 at half resolution": stem("16 then max pool"),
    "16 then blurred pool, then 32-256 at half resolution": stem("16 then blurred pool"),
}


def answering(model) -> LiteRTClassifier:
    """The model as the answering side would run it: converted to LiteRT, in the project's classifier."""
    with tempfile.TemporaryDirectory() as folder:
        model.export(f"{folder}/m.tflite", format="litert", verbose=False)
        return LiteRTClassifier(f"{folder}/m.tflite", Path(folder, "m.tflite").read_bytes())


if __name__ == "__main__":
    faces = list(np.random.default_rng(0).random((256, *SHAPE)).astype("float32"))
    for name, build in CANDIDATES.items():
        if sys.argv[1:] and name not in sys.argv[1:]:
            continue
        model = happy_vs_sad(build(), EMOTIONS)
        classifier = answering(model)
        print(json.dumps({"network": name, "mmac": round(macs_per_face(model), 1), "parameters": model.count_params(),
                          "faces_per_s": round(images_per_second(classifier, faces)),
                          "ms_one_face": round(milliseconds_for_one_face(classifier, faces), 2)}), flush=True)
