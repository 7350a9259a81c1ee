"""How the third answer (neither) is decided, chosen on validation only: the notebook's validation
faces of all seven FER2013 folders, scored three ways against the FER+ plurality.

    .venv/bin/python experiments/third_answer.py [MODEL.keras] [--data-dir .]

Rules compared, each on the eight emotion logits averaged over ten copies (as `predict` reads a
face) and over one pass (as `video` does):
  - argmax of P(happy), P(sad), P(neither) with the model's own temperature (the binary answer's);
  - the same with a temperature fitted to the three answers' log-loss on validation;
  - the same with a margin: neither only when it leads the other two by m, m fitted on validation;
  - the most probable of the eight emotions, mapped (happiness, sadness, any other: neither);
  - the fitted temperature with a bias added to the log-probability of sad and of neither, the
    pair fitted for accuracy on validation (a grid).
Prints three-way accuracy, recall and precision per answer, sad F1, the ECE of the three
probabilities, and the share of faces >= 6 of 10 votes neutral read as neither.

Backs docs/experiments.md, "The third answer".
"""
import argparse
import contextlib
import io

import numpy as np
from scipy.optimize import minimize_scalar

from happysad.answer.classifier import load_classifier
from happysad.answer.emotions import emotion_probabilities, three_way
from happysad.config import MODEL_FILENAME, ONE_PASS, STEADY
from happysad.data import votes
from happysad.train import evaluation
from happysad.train.notebook import run_steps


def validation_faces(data_dir):
    """(validation images of every folder, their three-way labels, whether >= 6 votes say neutral)."""
    with contextlib.redirect_stdout(io.StringIO()):
        flow = run_steps("flows", DATA_DIR=data_dir)["validation_flow"]
    voted = votes.votes_for(votes.read_votes(data_dir), flow.filepaths)
    flow.reset()
    images = np.concatenate([flow[i][0] for i in range(len(flow))])
    return images, votes.three_way_labels(voted), voted["neutral"].fillna(0).to_numpy() >= 6


def fitted_temperature(logits, labels):
    def loss(t):
        p = three_way(emotion_probabilities(logits, t))
        return -np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12))
    return minimize_scalar(loss, bounds=(0.3, 3.0), method="bounded").x


def with_margin(p, margin):
    """Labels: neither only when P(neither) leads both others by `margin` (0: argmax)."""
    labels = np.where(p[:, 0] >= p[:, 1], 0, 1)
    return np.where(p[:, 2] - np.maximum(p[:, 0], p[:, 1]) > margin, 2, labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=MODEL_FILENAME)
    parser.add_argument("--data-dir", default=".")
    args = parser.parse_args()
    images, labels, neutral = validation_faces(args.data_dir)
    keep = labels >= 0
    images, labels, neutral = images[keep], labels[keep], neutral[keep]
    classifier = load_classifier(args.model)
    print(f"{len(labels)} validation faces with one plurality ({np.bincount(labels, minlength=3)} happy/sad/neither), "
          f"{neutral.sum()} of them >= 6 votes neutral; model temperature {classifier.temperature:.3f}")
    for copies in (STEADY, ONE_PASS):
        logits = classifier.emotion_logits(images, copies)
        t3 = fitted_temperature(logits, labels)
        margins = np.linspace(-0.3, 0.3, 61)
        p_model = three_way(emotion_probabilities(logits, classifier.temperature))
        best = margins[np.argmax([(with_margin(p_model, m) == labels).mean() for m in margins])]
        p_fitted = three_way(emotion_probabilities(logits, t3))
        grid = np.linspace(-1, 1, 41)
        sad_bias, neither_bias = max(((a, b) for a in grid for b in grid), key=lambda ab: (
            (np.log(p_fitted) + [0, ab[0], ab[1]]).argmax(axis=1) == labels).mean())
        eight = emotion_probabilities(logits, t3).argmax(axis=1)
        rules = {f"argmax, model T {classifier.temperature:.3f}": (p_model, None),
                 f"argmax, fitted T {t3:.3f}": (p_fitted, None),
                 f"margin {best:+.2f}, model T": (p_model, with_margin(p_model, best)),
                 "eight emotions' argmax, mapped": (p_fitted, np.select([eight == 1, eight == 3], [0, 1], 2)),
                 f"fitted T, biases sad {sad_bias:+.2f} neither {neither_bias:+.2f}":
                     (p_fitted, (np.log(p_fitted) + [0, sad_bias, neither_bias]).argmax(axis=1))}
        for rule, (p, given) in rules.items():
            given = p.argmax(axis=1) if given is None else given
            scores = evaluation.evaluate_three_way(labels, p, given)
            print(f"{copies:>2} cop{'y' if copies == 1 else 'ies'}, {rule}: " + evaluation.three_way_line(scores)
                  + f", neutral faces read neither {(given[neutral] == 2).mean():.1%}")


if __name__ == "__main__":
    main()
