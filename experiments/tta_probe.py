"""Would more test-time augmentation than the mirror image help? The saved model's network scored
on the notebook's validation split (never holdout/) under averages of its logits over shifted
and cropped copies of each image, for both resize filters.

    .venv/bin/python benchmarks/tta_probe.py [--data-dir .] [--model happy_sad_model.keras]

Copies: the picture and its mirror image (what the saved model averages today); shifts of 2 or
4 pixels (edges repeated); a centre crop 3 or 6 pixels in from each side, resized back to 64.
Prints accuracy and log-loss for each set of copies.
"""
import argparse
import warnings
from pathlib import Path

import numpy as np


import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import tensorflow as tf

from happysad.train.calibration import log_loss
from happysad.config import MODEL_FILENAME

IMAGE_SIZE = 64  # the input size of the model this study measured
from happysad.train.export import load_keras_model
from lever_data import notebook_flow


def validation_images(data_dir, interpolation):
    flow = notebook_flow(data_dir, "validation", target_size=(IMAGE_SIZE, IMAGE_SIZE), color_mode="grayscale",
                         batch_size=512, interpolation=interpolation)
    return np.concatenate([flow[i][0] for i in range(len(flow))]), flow.classes


def shifted(images, dx, dy, pad=4):
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
    return padded[:, pad + dy:pad + dy + IMAGE_SIZE, pad + dx:pad + dx + IMAGE_SIZE]


def centre_crop(images, margin):
    cropped = images[:, margin:IMAGE_SIZE - margin, margin:IMAGE_SIZE - margin]
    return tf.image.resize(cropped, (IMAGE_SIZE, IMAGE_SIZE), "bilinear").numpy()


def copies(images):
    """name -> transformed images; a name ending in 'm' is of the mirror image."""
    out = {}
    for mirror in ("", "m"):
        source = images[:, :, ::-1] if mirror else images
        out["same" + mirror] = source
        for d in (2, 4):
            for dx, dy in ((d, 0), (-d, 0), (0, d), (0, -d)):
                out[f"shift{d}{dx:+d}{dy:+d}" + mirror] = shifted(source, dx, dy)
        for margin in (3, 6):
            out[f"crop{margin}" + mirror] = centre_crop(source, margin)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--model", default=MODEL_FILENAME)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="The structure of `inputs`")  # a bare array for a named input
    network = load_keras_model(args.model).get_layer("happy_sad_cnn")  # the CNN inside the flip averaging

    def logits(images):
        return np.concatenate([network(images[i:i + 256], training=False).numpy().ravel()
                               for i in range(0, len(images), 256)])

    with_mirror = lambda names: names + [n + "m" for n in names]
    shifts = lambda d: [f"shift{d}{dx:+d}{dy:+d}" for dx, dy in ((d, 0), (-d, 0), (0, d), (0, -d))]
    sets = {"none": ["same"], "mirror (today)": with_mirror(["same"]),
            "mirror + shifts 2": with_mirror(["same"] + shifts(2)),
            "mirror + shifts 4": with_mirror(["same"] + shifts(4)),
            "mirror + crop 3": with_mirror(["same", "crop3"]), "mirror + crop 6": with_mirror(["same", "crop6"]),
            "all 22": None}
    print("| resize | copies averaged | validation accuracy | log-loss |\n|---|---|---|---|")
    for interpolation in ("bilinear", "nearest"):
        images, labels = validation_images(args.data_dir, interpolation)
        z = {name: logits(transformed) for name, transformed in copies(images).items()}
        for set_name, names in sets.items():
            mean = np.mean([z[n] for n in (names or z)], axis=0)
            loss = log_loss(labels, 1 / (1 + np.exp(-mean)))
            print(f"| {interpolation} | {set_name} | {((mean > 0) == labels).mean():.2%} | {loss:.4f} |", flush=True)


if __name__ == "__main__":
    main()
