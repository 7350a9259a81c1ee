"""How fast would a network answer? Untrained candidates, each converted to LiteRT as the shipped
file is (happy/sad head, float32, XNNPACK, two threads): faces/s at batch 256 and the median time
of one face, next to their multiply-adds. For choosing a network that can answer at `fer`'s speed
before spending a training run on it.

    .venv/bin/python experiments/architecture_speed.py [NAME ...]     # all candidates, or those named
"""
import json
import sys
import tempfile
import time

import numpy as np
from one_pass_probe import macs_per_face

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import keras
from happysad.answer.classifier import litert_interpreter
from happysad.train.export import happy_vs_sad
from happysad.train.notebook import run_steps
from happysad.train.votes import EMOTIONS
from keras import layers

WIDE = ((32, 2), (64, 2), (128, 2), (256, 2))  # the shipped network's blocks


blurred_max_pooling = run_steps("model")["blurred_max_pooling"]  # the notebook's own


def network(blocks=WIDE, dense_units=256, stem=None, separable=False):
    """The notebook's network (commit b81614e) with other blocks, optionally a stem before them:
    "blurred stride" (2x2 blur, first convolution strided: half resolution throughout),
    "16 then max pool" (16 filters at full resolution, then plain 2x2 max pooling), or
    "16 then blurred pool" (the same with blurred max pooling); `separable`: every convolution
    but the first depthwise-separable."""
    inputs = keras.Input((48, 48, 1))
    x = inputs
    if stem == "blurred stride":
        x = layers.AveragePooling2D(2, strides=1, padding="same")(x)
    elif stem in ("16 then max pool", "16 then blurred pool"):
        x = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(16, 3, padding="same", use_bias=False)(x)))
        x = layers.MaxPooling2D(2)(x) if stem == "16 then max pool" else blurred_max_pooling(x)
    first = True
    for index, (filters, convolutions) in enumerate(blocks):
        for _ in range(convolutions):
            if separable and not first:
                x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x)
            else:
                stride = 2 if first and stem == "blurred stride" else 1
                x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
            first = False
            x = layers.ReLU()(layers.BatchNormalization()(x))
        if index < len(blocks) - 1:
            x = blurred_max_pooling(x)
    x = layers.Dense(dense_units, activation="relu")(layers.GlobalAveragePooling2D()(x))
    logits = layers.Dense(len(EMOTIONS), name="emotion_logits")(layers.Dropout(0.5)(x))
    return happy_vs_sad(keras.Model(inputs, layers.Softmax()(logits)), EMOTIONS)


CANDIDATES = {
    "shipped network": dict(),
    "16-32-64-128, dense 128": dict(blocks=((16, 2), (32, 2), (64, 2), (128, 2)), dense_units=128),
    "16-32-64-192, dense 192": dict(blocks=((16, 2), (32, 2), (64, 2), (192, 2)), dense_units=192),
    "20-40-80-160, dense 160": dict(blocks=((20, 2), (40, 2), (80, 2), (160, 2)), dense_units=160),
    "24-48-96-192, dense 192": dict(blocks=((24, 2), (48, 2), (96, 2), (192, 2)), dense_units=192),
    "one convolution a block": dict(blocks=((32, 1), (64, 1), (128, 1), (256, 1))),
    "separable 48-96-192-384": dict(blocks=((48, 2), (96, 2), (192, 2), (384, 2)), separable=True),
    "half resolution (blurred stride)": dict(stem="blurred stride"),
    "16 then max pool, then 32-256 at half resolution": dict(stem="16 then max pool"),
    "16 then blurred pool, then 32-256 at half resolution": dict(stem="16 then blurred pool"),
}


def speed(model, rounds=5):
    Interpreter = litert_interpreter()
    with tempfile.TemporaryDirectory() as folder:
        model.export(f"{folder}/m.tflite", format="litert", verbose=False)
        interpreter = Interpreter(model_path=f"{folder}/m.tflite", num_threads=2)
    source, target = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]
    faces = np.random.default_rng(0).random((256, 48, 48, 1)).astype("float32")

    def answer(batch):
        interpreter.set_tensor(source, batch)
        interpreter.invoke()
        return interpreter.get_tensor(target)

    for batch in (256, 1):
        interpreter.resize_tensor_input(source, (batch, 48, 48, 1))
        interpreter.allocate_tensors()
        answer(faces[:batch])  # warm up
        if batch == 256:
            started = time.perf_counter()
            for _ in range(rounds):
                answer(faces)
            per_second = rounds * 256 / (time.perf_counter() - started)
    times = []
    for index in range(200):
        started = time.perf_counter()
        answer(faces[index % 256][None])
        times.append(time.perf_counter() - started)
    return per_second, 1000 * float(np.median(times))


if __name__ == "__main__":
    for name, options in CANDIDATES.items():
        if sys.argv[1:] and name not in sys.argv[1:]:
            continue
        model = network(**options)
        faces_per_second, milliseconds = speed(model)
        print(json.dumps({"network": name, "mmac": round(macs_per_face(model), 1), "parameters": model.count_params(),
                          "faces_per_s": round(faces_per_second), "ms_one_face": round(milliseconds, 2)}), flush=True)
