"""Faces in video: every face in every frame (or every Nth) found, followed, classified and steadied.

`follow_faces` yields each frame read with its faces (number, box, P(sad) as it is and smoothed,
label, confidence). Each face followed is looked for again where it should be, in a window of
one detector pass (FaceDetector.find_near); the whole frame, in tiles where a face may be small,
is searched every FULL_SEARCH_SECONDS and when a face is lost (happysad.answer.tracking). The
network runs once per face by default: the smoothing over frames averages many views of a face
as it moves, which is what the ten copies do for a photo. `read_clip` and `clip_from_photo` are
the notebook's. The command is happysad.answer.video_command; the summary and timeline,
happysad.answer.report. Nothing here imports TensorFlow.
"""
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..config import ONE_PASS
from .faces import Box, FaceDetector, crop
from .frames import DEFAULT_FRAME_RATE, Stopwatch, VideoSource
from .images import to_model_input
from .tracking import SMOOTHING_SECONDS, FaceTracks, SteadyAnswer

COLUMNS = ("frame", "time_s", "face", "x", "y", "width", "height", "p_sad", "p_sad_smoothed", "label", "confidence")


@dataclass
class FaceInFrame:
    """One face in one frame: the table's row, and what the annotated frame shows."""
    frame: int
    time_s: float
    face: int
    box: Box
    p_sad: float
    p_sad_smoothed: float
    label: str
    confidence: float
    face_found = True

    @property
    def name(self) -> str:
        return f"face {self.face}"

    def row(self) -> dict:
        return {"frame": self.frame, "time_s": round(self.time_s, 3), "face": self.face, "x": self.box.x,
                "y": self.box.y, "width": self.box.size, "height": self.box.size, "p_sad": round(self.p_sad, 4),
                "p_sad_smoothed": round(self.p_sad_smoothed, 4), "label": self.label,
                "confidence": round(self.confidence, 4)}


def follow_faces(source: VideoSource, classifier, every=1, smoothing=SMOOTHING_SECONDS, detector=None,
                 stopwatch=None, copies=ONE_PASS):
    """For each frame read: (index, time_s, PIL image, [FaceInFrame, ...] in face-number order).
    `copies`: views of each face averaged (1, or 10 as `predict` does)."""
    from .prediction import input_size_and_channels, predict_arrays

    detector = detector or FaceDetector()
    stopwatch = stopwatch or Stopwatch()
    size, channels = input_size_and_channels(classifier)
    tracks, answers, searches = FaceTracks(), {}, 0
    for index, time_s, pixels in source.frames(every, stopwatch):
        image = Image.fromarray(np.ascontiguousarray(pixels))
        stopwatch.start("detect")
        near = {track.number: detector.find_near(image, expected) for track, expected in tracks.to_look_for(time_s)}
        anywhere = None
        if tracks.full_search_due(time_s):  # the first frame in all its tiles, then one tile in turn
            anywhere = detector.search(image, known=[box for box in near.values() if box is not None],
                                       tile=searches - 1 if searches else None)
            searches += 1
        stopwatch.start("track")
        faces = tracks.update(image, time_s, near, anywhere)
        stopwatch.start("classify")
        p_sad = predict_arrays(classifier, [to_model_input(crop(image, box), size, channels) for _, box in faces],
                               copies=copies)
        stopwatch.start("track")
        found = []
        for (number, box), p in zip(faces, p_sad):
            steady = answers.setdefault(number, SteadyAnswer(smoothing))
            smoothed, label = steady.update(float(p), time_s)
            found.append(FaceInFrame(index, time_s, number, box, float(p), smoothed, label, steady.confidence))
        yield index, time_s, image, found
    stopwatch.stop()


def read_clip(path, classifier, every=3, frames_to_keep=4, smoothing=SMOOTHING_SECONDS, copies=ONE_PASS):
    """(every face row, a few annotated frames spread over the clip, seconds per frame read): the
    whole clip at once, as the notebook shows it."""
    from .annotate import draw_predictions

    source = VideoSource(path)
    try:
        spacing = max(1, (source.declared_frames or 300) // frames_to_keep)
        rows, kept = [], []
        for index, _, image, faces in follow_faces(source, classifier, every, smoothing, copies=copies):
            rows += faces
            if faces and len(kept) < frames_to_keep and index >= spacing * len(kept):
                kept.append(draw_predictions(image, faces))
    finally:
        source.close()
    return rows, kept, every / source.frames_per_second


def clip_from_photo(photo, path=None, seconds=4.0, frames_per_second=DEFAULT_FRAME_RATE, size=(640, 360)):
    """A short MP4 of a photo drifting and zooming across the frame, a clip to try video on (in the
    system's temporary folder unless `path` is given)."""
    import tempfile

    import cv2

    from .images import read_image

    path = path or Path(tempfile.gettempdir(), f"happysad-{Path(photo).stem}.mp4")
    picture = read_image(photo).convert("RGB")
    picture.thumbnail((size[1], size[1]))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), frames_per_second, size)
    count = int(seconds * frames_per_second)
    for index in range(count):
        share = index / max(1, count - 1)
        scale = 0.8 + 0.2 * math.sin(math.pi * share)
        shown = picture.resize((max(1, int(picture.width * scale)), max(1, int(picture.height * scale))))
        frame = Image.new("RGB", size, (40, 40, 40))
        frame.paste(shown, (int((size[0] - shown.width) * share), (size[1] - shown.height) // 2))
        writer.write(np.asarray(frame)[:, :, ::-1])
    writer.release()
    return Path(path)
