"""Would averaging a face's slightly shifted copies (as the saved model averages its mirror image)
make answers steadier and better? Measured on the notebook's validation split only.

    .venv/bin/python experiments/shift_probe.py [--model happy_sad_model.keras] [--data-dir .] [--step 1]

For each validation happy/sad face (as the notebook loads it, 48x48), P(sad) of the face alone and
the mean logit over the face and its copies moved by `--step` pixels left, right, up and down
(edges repeated). Prints accuracy on FER2013's labels, on web-photo crops and on agreed faces,
log-loss, and how often the answer moves by more than 5 points when the face itself is moved by
one more pixel (the stability the README reports on held-out faces).
"""
import argparse

import numpy as np
from validation_slices import slices, validation_arrays

from happysad.train import calibration, evaluation
from happysad.train.consistency import moved
from happysad.config import SHIPPED_MODEL
from happysad.answer.classifier import load_classifier
from happysad.answer.prediction import predict_arrays

MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1))


def answers(model, images, step):
    """P(sad) of each image alone, and averaged (mean logit) with its copies moved by `step`."""
    alone = predict_arrays(model, list(images), 256)
    copies = [alone] + [predict_arrays(model, list(moved(images, dx * step, dy * step)), 256) for dx, dy in MOVES]
    mean_logit = np.mean([calibration.logit(p) for p in copies], axis=0)
    return alone, 1 / (1 + np.exp(-mean_logit))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SHIPPED_MODEL)
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--step", type=int, default=1)
    args = parser.parse_args()
    images, labels, agreed, has_votes = validation_arrays(args.data_dir)
    model = load_classifier(args.model)
    plain, averaged = answers(model, images, args.step)
    nudged = [answers(model, moved(images, dx, dy), args.step) for dx, dy in MOVES]
    print("| answer | FER2013 labels | web crops | agreed faces | agreed: wrong at >=90% | log-loss | moves > 5 points |")
    print("|---|---|---|---|---|---|---|")
    for index, (name, p) in enumerate((("face alone (shipped)", plain), (f"mean of 5 copies, {args.step} px", averaged))):
        moves = np.max([np.abs(n[index] - p) for n in nudged], axis=0)
        fer, web, on_agreed = (evaluation.evaluate(*part) for part in slices(labels, agreed, has_votes, p).values())
        print(f"| {name} | {fer['accuracy']:.2%} | {web['accuracy']:.1%} | {on_agreed['accuracy']:.2%} | "
              f"{on_agreed['confident_mistakes']} | {calibration.log_loss(labels, p):.4f} | {(moves > 0.05).mean():.1%} |")


if __name__ == "__main__":
    main()
