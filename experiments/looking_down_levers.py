"""Does training on faces bent forward and lit by a screen hold the answer where users film (#33)?
Trains the notebook's recipe (its own cells) with a share of training faces changed by
happysad.data.looking_down.LookingDownAugmentation (the notebook's LOOKING_DOWN_SHARE), then
scores it on the notebook's validation split only: each slice as it is and the same faces
changed as the looking-down yardstick changes the held-out faces.

    .venv/bin/python experiments/looking_down_levers.py --share 0 --epochs 5 [--data-dir .] [--out DIR]
    .venv/bin/python experiments/looking_down_levers.py --share 0.3 --epochs 5
    .venv/bin/python experiments/looking_down_levers.py --share 0 --epochs 5 --seed 7   # one seed's spread
    .venv/bin/python experiments/looking_down_levers.py --score [MODEL.keras]   # no training; default the shipped file

Sampling weights that give looking-down faces more of each epoch are the same lever here: the
looking-down faces are made from training faces, so a larger share is a larger weight.
Prints one table row per copies setting (one pass, ten copies): agreed faces, FER2013 labels and
web-photo crops, each as it is and looking down, the agreed gap, sad recall on agreed faces
looking down, wrong at >=90% on agreed faces looking down; and appends them to OUT/scores.jsonl.

Backs docs/experiments.md, "Looking down".
"""
import argparse
import contextlib
import io
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image
from validation_slices import answers, slices, validation_arrays

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
from happysad.config import SHIPPED_MODEL
from happysad.data.looking_down import looking_down
from happysad.data.votes import EMOTIONS
from happysad.train import evaluation
from happysad.train.export import happy_vs_sad, load_keras_model, with_averaged_copies
from happysad.train.notebook import run_steps


def looking_down_arrays(images):
    """The validation faces (N, size, size, 1) in [0, 1], each changed as the yardstick changes a face."""
    changed = [np.asarray(looking_down(Image.fromarray(np.rint(face[..., 0] * 255).astype(np.uint8), "L"))[0])
               for face in images]
    return np.stack(changed)[..., None].astype(np.float32) / 255


def scores(model, images, bent, labels, agreed, has_votes):
    """{name: value} for one model on the faces as they are and looking down."""
    row = {}
    for view, faces in (("as is", images), ("looking down", bent)):
        for part, (y, p) in slices(labels, agreed, has_votes, answers(model, faces)).items():
            s = evaluation.evaluate(y, p)
            row[f"{part}, {view}"] = round(s["accuracy"], 4)
            if part == "agreed faces" and view == "looking down":
                row["agreed looking down: sad recall"] = round(s["sad_recall"], 3)
                row["agreed looking down: wrong at >=90%"] = s["confident_mistakes"]
    row["agreed gap"] = round(row["agreed faces, looking down"] - row["agreed faces, as is"], 4)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, default=0.0)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=None, help="the notebook's SEED (default: its own)")
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--out", default=None)
    parser.add_argument("--score", nargs="?", const=str(SHIPPED_MODEL), default=None, metavar="MODEL",
                        help="score a saved happy/sad model (default: the shipped file); no training")
    args = parser.parse_args()
    seeded = {} if args.seed is None else {"SEED": args.seed}
    name = ("shipped" if args.score == str(SHIPPED_MODEL) else Path(args.score).stem) if args.score else f"share-{args.share:g}-epochs-{args.epochs}" + (
        f"-seed-{args.seed}" if seeded else "")
    out = Path(args.out or f"/tmp/looking_down_levers/{name}")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.score:
        from validation_slices import network_once
        saved = load_keras_model(args.score)
        models = {1: network_once(saved), 10: saved}
    else:
        steps = run_steps("flows", "model", "compile", "callbacks", "fit", DATA_DIR=args.data_dir,
                          OUTPUT_DIR=str(out), EPOCHS=args.epochs, LOOKING_DOWN_SHARE=args.share, **seeded)
        one_pass = happy_vs_sad(steps["model"], list(EMOTIONS))
        one_pass.save(out / "happy_vs_sad.keras")
        models = {1: one_pass, 10: with_averaged_copies(one_pass)}
    trained_min = (time.perf_counter() - started) / 60
    with contextlib.redirect_stdout(io.StringIO()):
        images, labels, agreed, has_votes = validation_arrays(args.data_dir)
    bent = looking_down_arrays(images)
    for copies, model in models.items():
        row = {"run": name, "copies": copies, "training_min": round(trained_min, 1),
               **scores(model, images, bent, labels, agreed, has_votes)}
        print("| " + " | ".join(str(value) for value in row.values()) + " |")
        print(json.dumps(row))
        with open(out.parent / "scores.jsonl", "a") as log:
            log.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
