"""Validation scores of saved models, by slice: FER2013 faces and web-photo crops on their labels,
and the faces people agree on. For choosing between recipes on validation only.

    .venv/bin/python experiments/validation_slices.py MODEL.keras [MODEL.keras ...] [--data-dir .]

The validation split is the notebook's own (its flow cells, run from Python); a web-photo crop is
a validation image without FER+ votes.
"""
import argparse
import contextlib
import io

import numpy as np

from happysad.train import calibration, evaluation, votes
from happysad.train.notebook import run_steps
from happysad.train.export import load_keras_model


def validation_faces(data_dir):
    """(the notebook's flow of validation happy/sad faces, agreed labels, which faces have votes)."""
    with contextlib.redirect_stdout(io.StringIO()):  # the cells' "Found N images" lines
        flow = run_steps("flows", DATA_DIR=data_dir)["scored_flows"]["validation"]
    voted = votes.votes_for(votes.read_votes(data_dir), flow.filepaths)
    return flow, votes.agreed_labels(voted), voted.notna().any(axis=1).to_numpy()


def validation_arrays(data_dir):
    """(the validation faces as one array, their labels, agreed labels, which faces have votes)."""
    flow, agreed, has_votes = validation_faces(data_dir)
    flow.reset()
    return np.concatenate([flow[i][0] for i in range(len(flow))]), np.asarray(flow.classes), agreed, has_votes


def slices(labels, agreed, has_votes, p_sad):
    """{slice name: (labels, P(sad))}: FER2013 faces and web-photo crops on their labels, agreed faces."""
    return {"FER2013 faces, their labels": (labels[has_votes], p_sad[has_votes]),
            "web-photo crops, their labels": (labels[~has_votes], p_sad[~has_votes]),
            "agreed faces": (agreed[agreed >= 0], p_sad[agreed >= 0])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--data-dir", default=".")
    args = parser.parse_args()
    flow, agreed, has_votes = validation_faces(args.data_dir)
    print("| model | slice | images | accuracy | happy / sad recall | wrong at >=90% | log-loss |\n|---|---|---|---|---|---|---|")
    for path in args.models:
        labels, p_sad = evaluation.predict_flow(load_keras_model(path), flow)
        for name, (y, p) in slices(labels, agreed, has_votes, p_sad).items():
            s = evaluation.evaluate(y, p)
            loss = calibration.log_loss(y, p)
            print(f"| {path} | {name} | {s['images']} | {s['accuracy']:.2%} | {s['happy_recall']:.3f} / "
                  f"{s['sad_recall']:.3f} | {s['confident_mistakes']} | {loss:.4f} |")


if __name__ == "__main__":
    main()
