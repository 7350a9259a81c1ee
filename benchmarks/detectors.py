"""Which face detector? Share of web photos with a face found, and milliseconds per photo.

    .venv/bin/python benchmarks/detectors.py [--photos ../shared/datasets/happysad_web] [--every 1]

Compares MTCNN (the `mtcnn` package, the project's choice) with OpenCV's Haar cascade
(needs `pip install opencv-python-headless==4.14.0.94`, which ships the cascade files;
skipped when absent). Both see the same pictures, shrunk to at most 1024 px.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from happysad.faces import DETECTION_SIDE, FaceDetector  # noqa: E402
from happysad.images import ImageError, read_image  # noqa: E402


def haar_detector():
    try:
        import cv2
    except ImportError:
        return None
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")

    def detect(image):
        image = image.copy()
        image.thumbnail((DETECTION_SIDE, DETECTION_SIDE))
        gray = cv2.equalizeHist(np.asarray(image.convert("L")))
        smallest = max(20, int(min(gray.shape) * 0.05))
        return list(cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest)))
    return detect


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared/datasets/happysad_web")
    parser.add_argument("--every", type=int, default=1, help="use every n-th photo (faster)")
    args = parser.parse_args()
    images = []
    for path in sorted(p for p in args.photos.rglob("*") if p.is_file())[::args.every]:
        try:
            images.append((path.parent.name, read_image(path)))
        except ImageError:
            pass
    detectors = {"MTCNN (mtcnn 1.0.0)": FaceDetector().detect, "Haar cascade (OpenCV 4)": haar_detector()}
    print(f"{len(images)} photos\n\n| detector | photos with a face: happy | sad | all | faces | ms per photo |\n"
          "|---|---|---|---|---|---|")
    for name, detect in detectors.items():
        if detect is None:
            print(f"| {name} | not installed | | | | |")
            continue
        detect(images[0][1])  # load and warm up
        found, faces, started = {"happy": [], "sad": []}, 0, time.perf_counter()
        for label, image in images:
            boxes = detect(image)
            found.setdefault(label, []).append(bool(len(boxes)))
            faces += len(boxes)
        ms = 1000 * (time.perf_counter() - started) / len(images)
        everything = found["happy"] + found["sad"]
        print(f"| {name} | {np.mean(found['happy']):.0%} | {np.mean(found['sad']):.0%} | "
              f"{np.mean(everything):.0%} | {faces} | {ms:.0f} |", flush=True)


if __name__ == "__main__":
    main()
