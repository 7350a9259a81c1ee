"""Would another runtime buy the speed? The shipped file's network, once and as its ten copies,
in LiteRT (what answers today), ONNX Runtime and OpenVINO, each in float32 and OpenVINO also in
its reduced precision (bfloat16 where the CPU has AMX or AVX512-BF16), timed as `compare_models`
times the shipped file and scored on the notebook's validation split, with how far each answer
moves from the Keras file's.

    .venv/bin/pip install -r experiments/requirements-runtimes.txt
    .venv/bin/python experiments/runtime_probe.py [--data-dir .]

Prints one line per runtime and file: faces/s at batch 256, ms for one face, the largest
|P(sad) change| against Keras, the share of faces moving more than 0.005 (the parity the fast
file must keep with the Keras file), and accuracy on the validation slices.

Backs docs/experiments.md, "Runtime".
"""
import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from validation_slices import answers, file_measures, network_once, validation_arrays

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import onnxruntime
import openvino
from happysad.answer.classifier import LiteRTClassifier
from happysad.vision.litert import default_threads
from happysad.config import SHIPPED_MODEL
from happysad.train.export import load_keras_model


def onnx_runtime(onnx_path):
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = default_threads()
    session = onnxruntime.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda batch: session.run(None, {name: np.ascontiguousarray(batch, np.float32)})[0]


def open_vino(onnx_path, precision):
    core = openvino.Core()
    model = core.read_model(onnx_path)
    model.reshape([-1, *model.inputs[0].partial_shape[1:]])
    compiled = core.compile_model(model, "CPU", {"INFERENCE_NUM_default_threads()": default_threads(),
                                                 "INFERENCE_PRECISION_HINT": precision,
                                                 "PERFORMANCE_HINT": "LATENCY"})
    request = compiled.create_infer_request()
    return lambda batch: request.infer([np.ascontiguousarray(batch, np.float32)])[0].copy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".")
    args = parser.parse_args()
    images, labels, agreed, has_votes = validation_arrays(args.data_dir)
    capabilities = openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    reduced = "bf16" if "BF16" in capabilities else "f16" if "FP16" in capabilities else None
    print(json.dumps({"openvino_reduced_precision": reduced}))
    shipped = load_keras_model(SHIPPED_MODEL)
    for name, model in (("network once", network_once(shipped)), ("ten copies (shipped)", shipped)):
        keras_p = answers(model.predict_on_batch, images)
        with tempfile.TemporaryDirectory() as folder:
            model.export(f"{folder}/model.onnx", format="onnx", verbose=False)
            model.export(f"{folder}/model.tflite", format="litert", verbose=False)
            runtimes = {"LiteRT": LiteRTClassifier("model.tflite", Path(folder, "model.tflite").read_bytes()),
                        "ONNX Runtime": onnx_runtime(f"{folder}/model.onnx"),
                        "OpenVINO f32": open_vino(f"{folder}/model.onnx", "f32")}
            if reduced:
                runtimes[f"OpenVINO {reduced}"] = open_vino(f"{folder}/model.onnx", reduced)
            for runtime, classifier in runtimes.items():
                print(json.dumps({"model": name, "runtime": runtime,
                                  **file_measures(classifier, images, labels, agreed, has_votes, keras_p)}), flush=True)


if __name__ == "__main__":
    main()
