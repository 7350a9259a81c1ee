"""Saved models alone and averaged (the mean of their logits), on the notebook's validation split
(never holdout/), for both resize filters.

    .venv/bin/python benchmarks/ensemble_probe.py MODEL.keras MODEL.keras [...] [--data-dir .]

An earlier commit's model can be taken out with `git show COMMIT:happy_sad_model.keras > old.keras`;
it must have been trained on the same data folder, or its training images may sit in this
validation split.
"""
import argparse
from pathlib import Path

import numpy as np


from happysad.train.calibration import log_loss
from happysad.train.export import load_keras_model
from tta_probe import validation_images


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--data-dir", default=".", type=Path)
    args = parser.parse_args()
    models = {path: load_keras_model(path) for path in args.models}
    print("| resize | model | validation accuracy | sad recall | log-loss |\n|---|---|---|---|---|")
    for interpolation in ("bilinear", "nearest"):
        images, labels = validation_images(args.data_dir, interpolation)
        logits = {}
        for path, model in models.items():
            p_sad = np.clip(model.predict(images, batch_size=256, verbose=0).ravel(), 1e-7, 1 - 1e-7)
            logits[path] = np.log(p_sad / (1 - p_sad))
        logits["average"] = np.mean(list(logits.values()), axis=0)
        for name, z in logits.items():
            said_sad, loss = z > 0, log_loss(labels, 1 / (1 + np.exp(-z)))
            sad_recall = (said_sad & (labels == 1)).sum() / (labels == 1).sum()
            print(f"| {interpolation} | {name} | {(said_sad == labels).mean():.2%} | {sad_recall:.3f} | {loss:.4f} |",
                  flush=True)


if __name__ == "__main__":
    main()
