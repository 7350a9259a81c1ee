"""Faces in video: every face in every frame (or every Nth) found, followed, classified and steadied.

`FaceFollower` answers one stream's frames one by one (video, camera, a live connection);
`follow_faces` yields each frame read with its faces (number, box, the three answers as they are
and smoothed, label, confidence); `read_video` runs it over a whole video, its table written as it
goes: the one per-video run behind `video FILE`, the camera and a study. Each face followed is
looked for again where it should be, in a window of one detector pass (FaceDetector.find_near);
the whole frame, in tiles where a face may be small, is searched every FULL_SEARCH_SECONDS and
when a face is lost (happysad.answer.tracking). The network runs once per face by default: the
smoothing over frames averages many views of a face as it moves, which is what the ten copies do
for a photo. `read_clip` and `clip_from_photo` are
the notebook's. The command is happysad.answer.video_command; the table, summary and timeline,
happysad.answer.report. Nothing here imports TensorFlow.
"""
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..config import ONE_PASS
from ..vision.boxes import crop
from ..vision.faces import FaceDetector
from ..vision.images import read_image, to_model_input
from .frames import DEFAULT_FRAME_RATE, VideoError, VideoSource, untimed
from .prediction import Prediction, answer_arrays, input_size_and_channels
from .tracking import SMOOTHING_SECONDS, FaceTracks, SteadyAnswer


class FaceFollower:
    """The faces of one stream of frames (a video, a camera, a live connection), frame after frame:
    each found where it should be or in a search of the whole frame, numbered, answered and its
    answer steadied over time. `follower(image, index, time_s)` -> [Prediction, ...] in face-number
    order; frames must come in time order. `copies`: views of each face averaged (1, or 10 as
    `predict` does)."""

    def __init__(self, classifier, smoothing=SMOOTHING_SECONDS, detector=None, copies=ONE_PASS):
        self.classifier, self.smoothing, self.copies = classifier, smoothing, copies
        self.detector = detector or FaceDetector()
        self.size, self.channels = input_size_and_channels(classifier)
        self.tracks, self.answers, self.searches = FaceTracks(), {}, 0

    def __call__(self, image: Image.Image, index: int, time_s: float, stopwatch=None) -> list:
        """`stopwatch`: told each stage as it starts (`start("detect")`, ...), to time them."""
        stopwatch = stopwatch or untimed
        stopwatch.start("detect")
        tracks = self.tracks
        near = {track.number: self.detector.find_near(image, expected) for track, expected in tracks.to_look_for(time_s)}
        anywhere = None
        if tracks.full_search_due(time_s):  # the first frame in all its tiles, then one tile in turn
            anywhere = self.detector.search(image, known=[box for box in near.values() if box is not None],
                                            tile=self.searches - 1 if self.searches else None)
            self.searches += 1
        stopwatch.start("track")
        faces = tracks.update(image, time_s, near, anywhere)
        stopwatch.start("classify")
        read = answer_arrays(self.classifier, [to_model_input(crop(image, box), self.size, self.channels)
                                               for _, box in faces], copies=self.copies)
        stopwatch.start("track")
        found = []
        for (number, box), answer in zip(faces, read):
            steady = self.answers.setdefault(number, SteadyAnswer(self.smoothing))
            smoothed, label = steady.update(answer.probabilities, time_s)
            found.append(Prediction(answer=answer, box=box, face_found=True, frame=index, time_s=time_s, face=number,
                                    smoothed=smoothed, steady=(label, steady.confidence)))
        return found


def follow_faces(source: VideoSource, classifier, every=1, smoothing=SMOOTHING_SECONDS, detector=None,
                 stopwatch=None, copies=ONE_PASS):
    """For each frame read: (index, time_s, PIL image, [Prediction, ...] in face-number order)
    (FaceFollower). `copies`: views of each face averaged (1, or 10 as `predict` does)."""
    stopwatch = stopwatch or untimed
    follower = FaceFollower(classifier, smoothing, detector, copies)
    for index, time_s, pixels in source.frames(every, stopwatch):
        image = Image.fromarray(np.ascontiguousarray(pixels))
        yield index, time_s, image, follower(image, index, time_s, stopwatch)
    stopwatch.stop()


@dataclass
class VideoRun:
    """What reading one video came to: frames looked at, their first and last times, the faces
    numbered, the rows (kept here only when no table is written), and why it ended early, if it did."""
    frames: int = 0
    first_s: float = 0.0
    last_s: float = 0.0
    faces: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    fault: str | None = None
    interrupted: bool = False

    def frame_seconds(self, fallback: float) -> float:
        """The mean time between the frames looked at (`fallback` before two were read): what each row
        counts for in the summary, so a clip of changing frame rate is timed by its own clock."""
        return (self.last_s - self.first_s) / (self.frames - 1) if self.frames > 1 else fallback


def read_video(source: VideoSource, classifier, table=None, every=1, smoothing=SMOOTHING_SECONDS, copies=ONE_PASS,
               on_frame=None, stopwatch=None, detector=None) -> VideoRun:
    """Every face of every `every`th frame of `source`, followed and answered: each frame's rows go to
    `table` (happysad.answer.report.TableWriter: memory stays flat however long the video) or, without
    one, into the run's rows. `on_frame(image, faces)` is called for each frame (an annotated copy, a
    window) and stops the video when it returns False. A video that breaks off, or Ctrl-C, ends the
    run with what was read kept; the run says which."""
    run = VideoRun()
    try:
        for _, time_s, image, faces in follow_faces(source, classifier, every, smoothing, detector, stopwatch,
                                                    copies):
            run.first_s = time_s if run.frames == 0 else run.first_s
            run.frames, run.last_s = run.frames + 1, time_s
            run.faces.update(face.face for face in faces)
            if table:
                table.write(faces)
            else:
                run.rows += faces
            if on_frame and on_frame(image, faces) is False:
                break
        else:
            run.fault = source.cut_short()
    except VideoError as error:
        run.fault = str(error)
    except KeyboardInterrupt:
        run.interrupted = True
    return run


def read_clip(path, classifier, every=3, frames_to_keep=4, smoothing=SMOOTHING_SECONDS, copies=ONE_PASS):
    """(every face row, a few annotated frames spread over the clip, seconds per frame read): the
    whole clip at once, as the notebook shows it."""
    from .annotate import draw_predictions

    source = VideoSource(path)
    spacing = max(1, (source.declared_frames or 300) // frames_to_keep) // every
    kept, seen = [], [0]

    def keep(image, faces):
        if faces and len(kept) < frames_to_keep and seen[0] >= spacing * len(kept):
            kept.append(draw_predictions(image, faces))
        seen[0] += 1

    try:
        run = read_video(source, classifier, every=every, smoothing=smoothing, copies=copies, on_frame=keep)
    finally:
        source.close()
    if run.fault and not run.frames:
        raise VideoError(run.fault)
    return run.rows, kept, run.frame_seconds(every / source.frames_per_second)


def clip_from_photo(photo, path=None, seconds=4.0, frames_per_second=DEFAULT_FRAME_RATE, size=(640, 360)):
    """A short MP4 of a photo drifting and zooming across the frame, a clip to try video on (in the
    system's temporary folder unless `path` is given)."""
    import tempfile

    import cv2

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
