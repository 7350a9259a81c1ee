"""MTCNN (the `mtcnn` package, the project's detector until BlazeFace replaced it), behind the
project's detector interface, for the detector benchmarks. Its weights ship in its wheel.
"""
import numpy as np
from PIL import Image

from happysad.vision.faces import DETECTION_SIDE, MIN_FACE_SIDE, square_box

MIN_CONFIDENCE = 0.9  # MTCNN's own score; below it most detections are not faces
MARGIN = 0.15  # MTCNN's box widened by this gives the FER2013 framing


class MtcnnDetector:
    """`detect(image) -> [Box, ...]`, biggest first, like happysad.vision.faces.FaceDetector."""

    def __init__(self):
        from mtcnn import MTCNN
        self._mtcnn = MTCNN(device="CPU:0")

    def detect(self, image: Image.Image) -> list:
        # One picture at a time: MTCNN's own batching pads every picture to the largest.
        scale = min(1.0, DETECTION_SIDE / max(image.size))
        small = image.convert("RGB")
        if scale < 1:
            small = small.resize((round(image.width * scale), round(image.height * scale)), Image.BILINEAR)
        found = self._mtcnn.detect_faces(np.asarray(small), box_format="xywh") if min(small.size) >= 24 else []
        boxes = [square_box(np.array(f["box"], float) / scale, f["confidence"], MARGIN)
                 for f in found if f["confidence"] >= MIN_CONFIDENCE]
        return sorted((b for b in boxes if b.size >= MIN_FACE_SIDE), key=lambda b: -b.size)
