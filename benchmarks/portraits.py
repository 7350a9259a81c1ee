"""Portrait shots cut from real photos, to make test pictures and clips from (the tests and the video
benchmark use them)."""
from PIL import Image

from happysad.vision.boxes import Box, crop
from happysad.vision.faces import FaceDetector
from happysad.vision.images import ImageError, read_image


def portraits(paths, count, side=200, min_face=100, detector=None) -> list:
    """The first `count` pictures among `paths` with one clear face (at least `min_face` pixels),
    each cut to that face with what stands around it, the face half the picture wide, at `side`
    pixels. Unreadable files are passed over."""
    detector, found = detector or FaceDetector(), []
    for path in paths:
        try:
            picture = read_image(path).convert("RGB")
        except ImageError:
            continue
        boxes = detector.detect(picture)
        if len(boxes) == 1 and boxes[0].size >= min_face and boxes[0].score > 0.8:
            box = boxes[0]
            found.append(crop(picture, Box(box.x - box.size // 2, box.y - box.size // 2, 2 * box.size))
                         .resize((side, side), Image.BICUBIC))
            if len(found) == count:
                break
    return found
