"""Stability: does a face's answer hold when its crop moves a little?

    python tasks.py bench stability [--data-dir .] [--model happy_sad_model.keras] [--shift 0.02]

A detector's box moves by a few pixels from one picture of a face to the next (a face alone
against the same face in a group). For every held-out face, the crop is moved by `--shift` of
its side (2%: one pixel of a 48x48 FER2013 face) left, right, up and down, and each moved crop
is classified. Prints, for this project's model and for `fer`'s, the share of faces whose
confidence moves by more than 5 points under some shift, and the share whose label flips.
FER2013 faces: holdout/happy and holdout/sad at 48x48 (the whole image is the crop); photo
faces: every face BlazeFace finds in holdout/photos. This project's model both as `predict`
answers (ten copies averaged) and as `video` does (one pass). Writes benchmarks/RESULTS-stability.md
(with the CPU and the commit).
"""
import argparse
from pathlib import Path

import numpy as np
from fer_reference import FerAsHappySad

from compare_models import AsAnswered, fer_held_out
from happysad.config import ONE_PASS, SHIPPED_MODEL, STEADY
from happysad.data.datafolder import held_out_photos
from happysad.vision.boxes import Box, crop
from happysad.vision.faces import FaceDetector
from happysad.vision.images import read_image, to_model_input
from happysad.answer.classifier import load_classifier
from happysad.answer.prediction import input_size_and_channels, predict_arrays
from timing import provenance

MOVED_POINTS = 0.05  # a confidence change larger than this counts as a change
RESULTS = Path(__file__).resolve().parent / "RESULTS-stability.md"


def held_out_crops(data_dir, detector):
    """(name, [(picture, box)]): the FER2013-sized held-out faces whole, and the photos' faces."""
    fer = [(image, Box(0, 0, image.width)) for image in fer_held_out(data_dir)[0]]
    photos = []
    for path in held_out_photos(data_dir)[0]:
        picture = read_image(path)
        photos += [(picture, box) for box in detector.detect(picture)]
    return [("FER2013 held-out faces", fer), ("faces in held-out photos", photos)]


def moved(box: Box, shift: float):
    step = max(1, round(box.size * shift))
    return [Box(box.x + dx, box.y + dy, box.size) for dx, dy in ((-step, 0), (step, 0), (0, -step), (0, step))]


def stability(model, crops, shift):
    size, channels = input_size_and_channels(model)
    arrays, groups = [], []
    for picture, box in crops:
        boxes = [box, *moved(box, shift)]
        groups.append(len(boxes))
        arrays += [to_model_input(crop(picture, b), size, channels) for b in boxes]
    p_sad = predict_arrays(model, arrays, 256).reshape(len(crops), -1)
    confidence_change = np.abs(p_sad[:, 1:] - p_sad[:, :1]).max(axis=1)
    flipped = ((p_sad[:, 1:] >= 0.5) != (p_sad[:, :1] >= 0.5)).any(axis=1)
    return (confidence_change > MOVED_POINTS).mean(), flipped.mean(), np.median(confidence_change)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".", type=Path)
    parser.add_argument("--model", default=SHIPPED_MODEL)
    parser.add_argument("--shift", type=float, default=0.02, help="share of the crop's side (default 0.02)")
    args = parser.parse_args()
    sets = held_out_crops(args.data_dir, FaceDetector())
    classifier = load_classifier(args.model)
    models = {"happysad, ten copies (predict)": AsAnswered(classifier, STEADY),
              "happysad, one pass (video)": AsAnswered(classifier, ONE_PASS), "fer (pip package)": FerAsHappySad()}
    lines = [f"Each crop moved by {args.shift:.0%} of its side (at least 1 pixel) left, right, up and down; "
             "P(sad | happy or sad) compared.", "",
             f"| model | faces | count | confidence moves > {MOVED_POINTS:.0%} | label flips | median move |",
             "|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for name, model in models.items():
        for set_name, crops in sets:
            changed, flipped, median = stability(model, crops, args.shift)
            lines.append(f"| {name} | {set_name} | {len(crops)} | {changed:.1%} | {flipped:.1%} | {median:.3f} |")
            print(lines[-1], flush=True)
    RESULTS.write_text(f"# Benchmark: stability\n\nWritten by `python tasks.py bench stability`. {provenance()}\n\n"
                       + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
