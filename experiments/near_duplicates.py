"""Near-duplicates across the splits: `data import` drops exact copies (same decoded pixels), but
the same photo re-encoded, resized or re-exposed slips through. How many validation and held-out
images nearly copy a training image, and how much do they lift the saved model's scores?

    .venv/bin/python benchmarks/near_duplicates.py [--data-dir .] [--model happy_sad_model.keras]
        [--pairs figures/near_duplicates.png]

Similarity: the correlation of two images' pixels as the model sees them (64x64, then 48x48 by
area), each image's mean taken out, so a brightness or contrast change does not hide a copy;
also against the training images' mirror images. A shifted or re-cropped copy correlates less
and is not all counted. Writes a strip of example pairs (validation image beside its nearest
training image) for each band of similarity.
"""
import argparse
from pathlib import Path

import numpy as np


from PIL import Image

from happysad.config import CLASS_NAMES, MODEL_FILENAME
from happysad.datafolder import label_folder
from happysad.train.evaluation import evaluate
from happysad.answer.images import read_image, to_model_input
from happysad.answer.classifier import load_classifier
from happysad.answer.prediction import input_size_and_channels, predict_arrays
from lever_data import as_model_sees, notebook_split

THRESHOLDS = (0.98, 0.95, 0.90)
BANDS = ((0.98, 1.01), (0.95, 0.98), (0.90, 0.95), (0.85, 0.90))


def unit_vectors(images):
    x = np.stack(images).reshape(len(images), -1).astype(np.float32)
    x -= x.mean(axis=1, keepdims=True)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)


def nearest(queries, pool, pool_mirrored):
    """(highest similarity, index of that pool image) for each query."""
    best, where = np.full(len(queries), -1.0, np.float32), np.zeros(len(queries), int)
    for start in range(0, len(queries), 512):
        chunk = queries[start:start + 512]
        similarity = np.maximum(chunk @ pool.T, chunk @ pool_mirrored.T)
        best[start:start + 512], where[start:start + 512] = similarity.max(axis=1), similarity.argmax(axis=1)
    return best, where


def held_out_paths(data_dir):
    paths, labels = [], []
    for index, label in enumerate(CLASS_NAMES):
        found = sorted(p for p in label_folder(data_dir, "holdout", label).iterdir() if p.is_file())
        paths += found
        labels += [index] * len(found)
    return paths, np.array(labels)


def save_pairs(path, validation, training, best, where):
    rows = []
    for low, high in BANDS:
        chosen = np.where((best >= low) & (best < high))[0][:6]
        pairs = [np.concatenate([validation[i], training[where[i]]], axis=1) for i in chosen]
        pairs += [np.zeros((48, 96), np.uint8)] * (6 - len(pairs))
        rows.append(np.concatenate([np.pad(p, 2, constant_values=255) for p in pairs], axis=1))
    strip = Image.fromarray(np.concatenate(rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    strip.resize((strip.width * 2, strip.height * 2), Image.NEAREST).save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--model", default=MODEL_FILENAME)
    parser.add_argument("--pairs", type=Path, help="write example pairs to this PNG")
    args = parser.parse_args()
    seen = {}
    for subset in ("training", "validation"):
        paths, labels = notebook_split(args.data_dir, subset)
        seen[subset] = paths, labels, [as_model_sees(read_image(p), Image.BILINEAR) for p in paths]
    held_paths, held_labels = held_out_paths(args.data_dir)
    held_images = [read_image(p) for p in held_paths]
    training, validation = seen["training"][2], seen["validation"][2]
    vectors = {name: unit_vectors(images) for name, images in (("training", training), ("validation", validation))}
    mirrored = {name: unit_vectors([image[:, ::-1] for image in images])
                for name, images in (("training", training), ("validation", validation))}
    validation_best, validation_where = nearest(vectors["validation"], vectors["training"], mirrored["training"])
    # held-out images against everything training may read: the training and validation split
    held_best, _ = nearest(unit_vectors([as_model_sees(i, Image.BILINEAR) for i in held_images]),
                           np.concatenate([vectors["training"], vectors["validation"]]),
                           np.concatenate([mirrored["training"], mirrored["validation"]]))

    print("| nearest training image at least this similar | " + " | ".join(f"{t}" for t in THRESHOLDS) + " |")
    print("|---|" + "---|" * len(THRESHOLDS))
    for name, best in (("validation", validation_best), ("held-out", held_best)):
        print(f"| {name} ({len(best):,} images) | "
              + " | ".join(f"{(best >= t).sum()} ({(best >= t).mean():.1%})" for t in THRESHOLDS) + " |")

    model = load_classifier(args.model)
    arrays = [to_model_input(i, *input_size_and_channels(model), Image.BILINEAR) for i in held_images]
    p_sad = predict_arrays(model, arrays)
    is_fer = np.array([p.suffix == ".png" for p in held_paths])  # FER2013 faces are stored as PNG
    print("\n| held-out images | images | accuracy | macro-F1 | sad recall |\n|---|---|---|---|---|")
    for name, subset in (("all", np.ones(len(held_best), bool)), ("FER2013 faces", is_fer)):
        for part, keep in (("", subset), (", near-duplicates (>= 0.95) left out", subset & (held_best < 0.95)),
                           (", near-duplicates only", subset & (held_best >= 0.95))):
            if keep.any():
                s = evaluate(held_labels[keep], p_sad[keep])
                print(f"| {name}{part} | {keep.sum():,} | {s['accuracy']:.1%} | {s['macro_f1']:.3f} | "
                      f"{s['sad_recall']:.3f} |")
    if args.pairs:
        save_pairs(args.pairs, validation, training, validation_best, validation_where)
        print(f"\nexample pairs: {args.pairs}")


if __name__ == "__main__":
    main()
