"""Would int8 buy the speed? The shipped file's network, once and as its ten copies, converted to
LiteRT in float32 and with full-integer int8 quantization (weights and activations int8, scales
from 300 validation faces; float32 in and out), timed as `compare_models` times the shipped file
and scored on the notebook's validation split, with how far each int8 answer moves from float32.

    .venv/bin/python experiments/int8_probe.py [--data-dir .]

Prints one line per file: faces/s at batch 256, ms for one face, the largest |P(sad) change|
against the float32 file, the share of faces moving more than 0.005 (the parity the fast file
must keep with the Keras file), and accuracy on the validation slices.
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from validation_slices import slices, validation_arrays

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import keras
import tensorflow as tf
from happysad.answer.classifier import LiteRTClassifier
from happysad.config import SHIPPED_MODEL
from happysad.train import evaluation
from happysad.train.explain import convolutional_network
from happysad.train.export import load_keras_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from compare_models import images_per_second, milliseconds_for_one_face  # noqa: E402

CALIBRATION_FACES = 300


def litert(model, int8_faces=None) -> LiteRTClassifier:
    """`model` through TensorFlow's converter: float32, or full-integer int8 calibrated on `int8_faces`."""
    with tempfile.TemporaryDirectory() as folder:
        model.export(f"{folder}/saved", format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(f"{folder}/saved")
        if int8_faces is not None:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = lambda: ([face[None]] for face in int8_faces)
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        return LiteRTClassifier("int8.tflite" if int8_faces is not None else "float32.tflite", converter.convert())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".")
    args = parser.parse_args()
    images, labels, agreed, has_votes = validation_arrays(args.data_dir)
    calibration_faces = images[np.random.default_rng(0).choice(len(images), CALIBRATION_FACES, replace=False)]
    shipped = load_keras_model(SHIPPED_MODEL)
    inner = convolutional_network(shipped)
    once = keras.Model(inner.inputs, keras.layers.Activation("sigmoid")(inner.get_layer("logit").output))
    for name, model in (("network once", once), ("ten copies (shipped)", shipped)):
        float32_p = None
        for int8 in (False, True):
            classifier = litert(model, calibration_faces if int8 else None)
            p_sad = np.concatenate([classifier(images[i:i + 256]).ravel() for i in range(0, len(images), 256)])
            float32_p = p_sad if float32_p is None else float32_p
            change = np.abs(p_sad - float32_p)
            accuracy = {part: round(evaluation.evaluate(*scored)["accuracy"], 4)
                        for part, scored in slices(labels, agreed, has_votes, p_sad).items()}
            print(json.dumps({"model": name, "weights": "int8" if int8 else "float32",
                              "faces_per_s": round(images_per_second(classifier, list(images[:256]))),
                              "ms_one_face": round(milliseconds_for_one_face(classifier, list(images[:256])), 2),
                              "largest_change": round(float(change.max()), 4),
                              "moving_over_0.005": round(float((change > 0.005).mean()), 4), **accuracy}), flush=True)


if __name__ == "__main__":
    main()
