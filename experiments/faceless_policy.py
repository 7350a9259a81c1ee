"""Keep or drop, for training, the photos in which no face is found?

    .venv/bin/python experiments/faceless_policy.py [--data-dir .] [--epochs 10]

`data import` keeps such a photo's centred square (<hash>-whole.jpg). This trains the same
model twice for the same epochs and seed, once on everything and once without those files,
and prints held-out accuracy on the web photos (through the whole predict path: detect,
crop, classify) and on the held-out faces. The held-out sets are the same for both.

Backs docs/experiments.md, "Data".
"""
import argparse
import sys
import tempfile
from pathlib import Path

from happysad.answer.prediction import classify_photos
from happysad.config import CLASS_NAMES
from happysad.data.datafolder import OTHER_EMOTIONS_DIR, held_out_photos
from happysad.train import evaluation
from happysad.train.export import happy_vs_sad
from happysad.train.notebook import run_steps
from happysad.data.votes import EMOTIONS, VOTES_FILE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))  # its timing and scoring helpers
from compare_models import photo_answers  # noqa: E402


def without_faceless(data_dir: Path, work: Path) -> Path:
    """A data folder of links to everything in `data_dir` except the faceless photos' squares."""
    for label in CLASS_NAMES:
        (work / label).mkdir(parents=True)
        for path in (data_dir / label).iterdir():
            if "-whole" not in path.stem:
                (work / label / path.name).symlink_to(path.resolve())
    for kept in ("holdout", OTHER_EMOTIONS_DIR, VOTES_FILE):  # the rest of today's recipe: other emotions, votes
        if (data_dir / kept).exists():
            (work / kept).symlink_to((data_dir / kept).resolve())
    return work


def train_and_score(data_dir: Path, epochs: int, seed: int, work: Path):
    steps = run_steps("flows", "model", "compile", "callbacks", "fit", DATA_DIR=str(data_dir), OUTPUT_DIR=str(work),
                      EPOCHS=epochs, SEED=seed)  # the notebook's own training cells
    model, train_flow = happy_vs_sad(steps["model"], EMOTIONS), steps["train_flow"]  # the saved model's answer
    faces = evaluation.evaluate(*evaluation.predict_flow(model, steps["scored_flows"]["held-out"]))
    paths, labels = held_out_photos(data_dir)
    predictions, _ = classify_photos(model, paths)
    photos = evaluation.evaluate(labels, photo_answers(predictions, paths)[0])
    return train_flow.samples, faces, photos


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        runs = {"keep (centred square)": data_dir, "drop": without_faceless(data_dir, work / "dropped")}
        print("| faceless photos | training images | held-out web photos: accuracy | macro-F1 | "
              "held-out faces: accuracy | macro-F1 |\n|---|---|---|---|---|---|")
        for name, folder in runs.items():
            samples, faces, photos = train_and_score(folder, args.epochs, args.seed, work / name.split()[0])
            print(f"| {name} | {samples} | {photos['accuracy']:.1%} | {photos['macro_f1']:.3f} | "
                  f"{faces['accuracy']:.1%} | {faces['macro_f1']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
