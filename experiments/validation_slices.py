"""Validation scores of saved models, by slice: FER2013 faces and web-photo crops on their labels,
and the faces people agree on. For choosing between recipes on validation only.

    .venv/bin/python experiments/validation_slices.py MODEL.keras [MODEL.keras ...] [--data-dir .]

The validation split is the notebook's own (its flow cells, run from Python); a web-photo crop is
a validation image without FER+ votes.

Backs docs/experiments.md, "Network and training".
"""
import argparse
import contextlib
import io
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))  # its timing and scoring helpers
from timing import images_per_second, milliseconds_for_one_face  # noqa: E402
from happysad.data import votes
from happysad.train import calibration, evaluation
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


def network_once(model):
    """A saved happy/sad model's network run once on the face as it is: its inner network's logit
    through a sigmoid (the saved model's temperature kept, its copies dropped)."""
    import keras

    from happysad.answer.classifier import find_layer

    inner = find_layer(model, "logit")[0]
    return keras.Model(inner.inputs, keras.layers.Activation("sigmoid")(inner.get_layer("logit").output))


def answers(model, images, batch=256):
    """P(sad) for every face, `model` called on batches of `batch`."""
    return np.concatenate([np.asarray(model(images[i:i + batch])).ravel() for i in range(0, len(images), batch)])


def file_measures(classifier, images, labels, agreed, has_votes, reference_p_sad):
    """{faces/s at batch 256, ms for one face (timed as compare_models times the shipped file), the
    largest |P(sad) change| against `reference_p_sad`, the share moving more than 0.005, accuracy
    by slice} for a file answering the validation faces."""
    p_sad = answers(classifier, images)
    change = np.abs(p_sad - reference_p_sad)
    return {"faces_per_s": round(images_per_second(classifier, list(images[:256]))),
            "ms_one_face": round(milliseconds_for_one_face(classifier, list(images[:256])), 2),
            "largest_change": round(float(change.max()), 5),
            "moving_over_0.005": round(float((change > 0.005).mean()), 4),
            **{part: round(evaluation.evaluate(*scored)["accuracy"], 4)
               for part, scored in slices(labels, agreed, has_votes, p_sad).items()}}


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
