"""Which copies of a face should the saved model average? Measured on the notebook's validation
split only, for the network inside the shipped model (blurred pooling, 25 epochs).

    .venv/bin/python experiments/shift_copies.py [--model happy_sad_model.keras] [--data-dir .]

For each validation happy/sad face (48x48, as the notebook loads it), the network's logit for the
face and its mirror image, moved by up to two pixels (edges repeated); each candidate set of
copies answers the mean of their logits. Prints accuracy on FER2013's labels, web-photo crops and
agreed faces, log-loss, and how often the answer moves by more than 5 points when the face moves
by one pixel left, right, up or down, over all faces and over the web-photo crops alone (the
validation stand-in for faces found in photos).

Backs docs/experiments.md, "Ten copies for photos, one pass for video".
"""
import argparse

import numpy as np
from validation_slices import slices, validation_arrays

from happysad.train import calibration, evaluation
from consistency import moved
from happysad.config import SHIPPED_MODEL
from happysad.answer.classifier import find_layer
from happysad.train.export import load_keras_model

NUDGES = ((1, 0), (-1, 0), (0, 1), (0, -1))
CANDIDATES = {"mirror pair": [(0, 0)],
              "pairs at (0,0) and (1,1)": [(0, 0), (1, 1)],
              "pairs at (0,0), (1,0), (0,1), (1,1)": [(0, 0), (1, 0), (0, 1), (1, 1)],
              "pairs at the centre and 4 one-pixel moves": [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SHIPPED_MODEL)
    parser.add_argument("--data-dir", default=".")
    args = parser.parse_args()
    images, labels, agreed, has_votes = validation_arrays(args.data_dir)
    network = find_layer(load_keras_model(args.model), "logit")[0]  # one pass; its output is the logit

    def logits(batch):
        return np.concatenate([np.asarray(network(batch[i:i + 512], training=False)).ravel()
                               for i in range(0, len(batch), 512)])

    mirrored = images[:, :, ::-1]
    logit = {(dx, dy, mirror): logits(moved(mirrored if mirror else images, dx, dy))
             for dx in range(-2, 3) for dy in range(-2, 3) if abs(dx) + abs(dy) <= 3 for mirror in (0, 1)}

    def answer(offsets, nudge):
        nx, ny = nudge  # the mirror image of a face moved by (dx, dy) is its mirror image moved by (-dx, dy)
        parts = [logit[sign * (dx + nx), dy + ny, mirror] for dx, dy in offsets for mirror, sign in ((0, 1), (1, -1))]
        return 1 / (1 + np.exp(-np.mean(parts, axis=0)))

    print("| copies averaged | network passes | FER2013 labels | web crops | agreed faces | agreed: wrong at >=90% "
          "| log-loss | moves > 5 points: all / web crops |\n|---|---|---|---|---|---|---|---|")
    for name, offsets in CANDIDATES.items():
        p = answer(offsets, (0, 0))
        moves = np.max([np.abs(answer(offsets, nudge) - p) for nudge in NUDGES], axis=0)
        fer, web, on_agreed = (evaluation.evaluate(*part) for part in slices(labels, agreed, has_votes, p).values())
        print(f"| {name} | {2 * len(offsets)} | {fer['accuracy']:.2%} | {web['accuracy']:.1%} | "
              f"{on_agreed['accuracy']:.2%} | {on_agreed['confident_mistakes']} | {calibration.log_loss(labels, p):.4f} | "
              f"{(moves > 0.05).mean():.1%} / {(moves[~has_votes] > 0.05).mean():.1%} |", flush=True)


if __name__ == "__main__":
    main()
