"""Would int8 buy the speed? The shipped file's network, once and as its ten copies, converted to
LiteRT in float32 and with full-integer int8 quantization (weights and activations int8, scales
from 300 validation faces; float32 in and out), timed as `compare_models` times the shipped file
and scored on the notebook's validation split, with how far each int8 answer moves from float32.

    .venv/bin/python experiments/int8_probe.py [--data-dir .]

Prints one line per file: faces/s at batch 256, ms for one face, the largest |P(sad) change|
against the float32 file, the share of faces moving more than 0.005 (the parity the fast file
must keep with the Keras file), and accuracy on the validation slices.

Backs docs/experiments.md, "Runtime".
"""
import argparse
import json
import tempfile

import numpy as np
from validation_slices import answers, file_measures, network_once, validation_arrays

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import tensorflow as tf
from happysad.answer.classifier import LiteRTClassifier
from happysad.config import SHIPPED_MODEL
from happysad.train.export import load_keras_model

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
    for name, model in (("network once", network_once(shipped)), ("ten copies (shipped)", shipped)):
        float32 = litert(model)
        float32_p = answers(float32, images)
        for weights, classifier in (("float32", float32), ("int8", litert(model, calibration_faces))):
            print(json.dumps({"model": name, "weights": weights,
                              **file_measures(classifier, images, labels, agreed, has_votes, float32_p)}), flush=True)

if __name__ == "__main__":
    main()
