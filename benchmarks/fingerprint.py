"""The answers to the last digit: sums and hashes that change when any answer changes.

    python tasks.py bench fingerprint [--data-dir .] [--model happy_sad_model.keras]

Run it before and after a change meant to leave the answers alone (a restructure, a new
dependency): the lines must be equal. It answers every held-out FER2013 face (one pass and ten
copies), every held-out web photo as `predict` does (faces found, cropped, ten copies) and the
shared clip as `video` does (one pass, followed and smoothed), and prints for each the count, the
sums of the three answers and of P(sad | happy or sad), and the SHA-256 of the raw float64 values.
"""
import argparse
import hashlib
from pathlib import Path

import numpy as np

from happysad.config import ONE_PASS, SHIPPED_MODEL, STEADY
from happysad.answer.classifier import load_classifier
from happysad.answer.emotions import answers_from_logits
from happysad.answer.frames import VideoSource
from happysad.vision.images import read_image, to_model_input
from happysad.answer.prediction import classify_photos, input_size_and_channels
from happysad.answer.video import read_video
from happysad.data.datafolder import held_out_photos

CLIP = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets" / "videos" / "woman2.mp4"


def line(name, values):
    values = np.ascontiguousarray(values, dtype=np.float64)
    sums = " ".join(f"{s:.12f}" for s in values.sum(axis=0))
    return f"{name}: {len(values)} rows, sums {sums}, sha256 {hashlib.sha256(values.tobytes()).hexdigest()[:16]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--model", default=str(SHIPPED_MODEL))
    parser.add_argument("--clip", default=str(CLIP))
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    size, channels = input_size_and_channels(classifier)
    holdout = Path(args.data_dir, "holdout")
    faces = sorted(p for folder in holdout.iterdir() if folder.is_dir() and folder.name != "photos"
                   for p in folder.glob("*.png"))
    batch = np.stack([to_model_input(read_image(p), size, channels) for p in faces])
    for copies in (ONE_PASS, STEADY):
        logits = classifier.emotion_logits(batch, copies)
        print(line(f"held-out FER2013 faces, {copies} cop{'y' if copies == 1 else 'ies'}, eight logits", logits),
              flush=True)
        answers = answers_from_logits(logits, classifier.temperature)  # what classifier.answer gives
        print(line("  ... three answers and P(sad | happy or sad)",
                   [(*a.probabilities, a.p_sad_vs_happy) for a in answers]), flush=True)
    photos = held_out_photos(args.data_dir)[0]
    predictions, errors = classify_photos(classifier, photos)
    print(line(f"held-out web photos as predict answers ({len(photos)} photos, {len(errors)} unreadable)",
               [(p.box.x, p.box.y, p.box.size, p.face_found, *p.answer.probabilities, p.p_sad_vs_happy)
                for p in predictions]), flush=True)
    source = VideoSource(args.clip)
    try:
        run = read_video(source, classifier)
    finally:
        source.close()
    print(line(f"{Path(args.clip).name} as video answers ({run.frames} frames)",
               [tuple(float(v) for k, v in face.row().items() if k != "label") for face in run.rows]))
    print(f"  ... labels: {hashlib.sha256(' '.join(face.label for face in run.rows).encode()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
