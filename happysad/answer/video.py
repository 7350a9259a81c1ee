"""Faces in video: every face in every frame (or every Nth) found, followed, classified and steadied.

    python -m happysad video CLIP.mp4 --csv faces.csv --out annotated.mp4 [--every 3]
    python -m happysad video --camera 0 --csv faces.csv

`follow_faces` yields each frame read with its faces (number, box, P(sad) as it is and smoothed,
label, confidence); `run_video` is the command: a table written as it goes (a crash, a cut file or
Ctrl-C keeps every row read before), an annotated copy, a live window for a camera where a screen
exists, and at the end a per-face summary (printed, and saved beside the table with a timeline
figure). Frames are read with OpenCV; nothing here imports TensorFlow.
"""
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .faces import Box, FaceDetector, crop
from .images import to_model_input
from .tracking import SMOOTHING_SECONDS, FaceTracks, SteadyAnswer

COLUMNS = ("frame", "time_s", "face", "x", "y", "width", "height", "p_sad", "p_sad_smoothed", "label", "confidence")
DEFAULT_FRAME_RATE = 30.0  # when a file does not say its own
STAGES = ("decode", "detect", "classify", "track", "write")


class VideoError(RuntimeError):
    """A video, camera or output that cannot be used; str() names it and the problem."""


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


class Stopwatch:
    """Seconds spent in each stage of the pipeline (for `python tasks.py bench video`)."""

    def __init__(self):
        self.seconds = dict.fromkeys(STAGES, 0.0)
        self._stage, self._since = None, None

    def start(self, stage):
        now = time.perf_counter()
        if self._stage:
            self.seconds[self._stage] += now - self._since
        self._stage, self._since = stage, now

    def stop(self):
        self.start(None)


class VideoSource:
    """The frames of a video file or a camera, each with its time in seconds."""

    def __init__(self, path=None, camera=None):
        import cv2

        self.cv2, self.camera = cv2, camera
        if camera is not None:
            self.name = f"camera {camera}"
            self.capture = cv2.VideoCapture(int(camera))
            if not self.capture.isOpened():
                raise VideoError(f"{self.name}: not found, or in use by another program")
        else:
            self.name = str(path)
            path = Path(path)
            if path.is_dir():
                raise VideoError(f"{path}: is a folder, not a video file")
            if not path.is_file():
                raise VideoError(f"{path}: no such file")
            if path.stat().st_size == 0:
                raise VideoError(f"{path}: empty file")
            self.capture = cv2.VideoCapture(str(path))
            if not self.capture.isOpened():
                raise VideoError(f"{path}: not a video OpenCV can read (an unknown format or codec, or a damaged file)")
        rate = self.capture.get(cv2.CAP_PROP_FPS)
        self.frames_per_second = rate if rate and math.isfinite(rate) and 1 <= rate <= 1000 else DEFAULT_FRAME_RATE
        declared = self.capture.get(cv2.CAP_PROP_FRAME_COUNT)
        self.declared_frames = int(declared) if camera is None and declared and declared > 0 else None
        self.frames_read = 0

    def frames(self, every=1, stopwatch=None):
        """(index, time_s, RGB array) of every `every`th frame, from the first."""
        started, index = time.monotonic(), 0
        stopwatch = stopwatch or Stopwatch()
        while True:
            stopwatch.start("decode")
            if index % every:
                if not self.capture.grab():  # a skipped frame is not decoded into pixels
                    break
                index += 1
                continue
            ok, frame = self.capture.read()
            if not ok or frame is None:
                break
            self.frames_read = index + 1
            time_s = time.monotonic() - started if self.camera is not None else index / self.frames_per_second
            yield index, time_s, frame[:, :, ::-1]  # OpenCV's BGR -> RGB
            index += 1
        if index == 0:
            raise VideoError(f"{self.name}: no frame could be decoded (an empty video, or a codec OpenCV cannot read)")

    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the frames, as the file or camera says."""
        width, height = (int(self.capture.get(p)) for p in (self.cv2.CAP_PROP_FRAME_WIDTH, self.cv2.CAP_PROP_FRAME_HEIGHT))
        if width <= 0 or height <= 0:
            raise VideoError(f"{self.name}: says no frame size (not a video OpenCV can read)")
        return width, height

    def cut_short(self) -> str | None:
        """What is wrong when a file ended well before the frames it declares (a cut download)."""
        if self.declared_frames and self.frames_read < self.declared_frames - max(2, self.declared_frames // 100):
            return (f"{self.name}: the video ends after frame {self.frames_read} of the {self.declared_frames} it "
                    "declares (cut short, or damaged)")
        return None

    def close(self):
        self.capture.release()


def follow_faces(source: VideoSource, classifier, every=1, smoothing=SMOOTHING_SECONDS, detector=None,
                 stopwatch=None):
    """For each frame read: (index, time_s, PIL image, [FaceInFrame, ...] in face-number order)."""
    from .prediction import input_size_and_channels, predict_arrays

    detector = detector or FaceDetector(tiles=False)  # a frame is searched whole: faces in video are not that small
    stopwatch = stopwatch or Stopwatch()
    size, channels = input_size_and_channels(classifier)
    tracks, answers = FaceTracks(source.frames_per_second / every), {}
    for index, time_s, pixels in source.frames(every, stopwatch):
        image = Image.fromarray(np.ascontiguousarray(pixels))
        stopwatch.start("detect")
        boxes = detector.detect(image)
        stopwatch.start("track")
        faces = tracks.update(boxes, time_s if source.camera is not None else None)
        stopwatch.start("classify")
        p_sad = predict_arrays(classifier, [to_model_input(crop(image, box), size, channels) for _, box in faces])
        stopwatch.start("track")
        found = []
        for (number, box), p in zip(faces, p_sad):
            steady = answers.setdefault(number, SteadyAnswer(smoothing))
            smoothed, label = steady.update(float(p), time_s)
            found.append(FaceInFrame(index, time_s, number, box, float(p), smoothed, label, steady.confidence))
        yield index, time_s, image, found
    stopwatch.stop()


def read_clip(path, classifier, every=3, frames_to_keep=4, smoothing=SMOOTHING_SECONDS):
    """(every face row, a few annotated frames spread over the clip, seconds per frame read): the
    whole clip at once, as the notebook shows it."""
    from .annotate import draw_predictions

    source = VideoSource(path)
    try:
        spacing = max(1, (source.declared_frames or 300) // frames_to_keep)
        rows, kept = [], []
        for index, _, image, faces in follow_faces(source, classifier, every, smoothing):
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


class TableWriter:
    """The CSV table, one row per face per frame, flushed after every frame."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.file = open(self.path, "w", newline="")
        except OSError as error:
            raise VideoError(f"{self.path}: cannot write the table ({error.strerror or error})") from None
        self.writer = csv.DictWriter(self.file, fieldnames=COLUMNS)
        self.writer.writeheader()

    def write(self, faces):
        self.writer.writerows(face.row() for face in faces)
        self.file.flush()

    def close(self):
        self.file.close()


class AnnotatedWriter:
    """An MP4 copy of the frames read, each face boxed with its number, label and confidence."""

    def __init__(self, path, frames_per_second, size):
        import cv2

        self.path, self.cv2 = Path(path), cv2
        if not self.path.parent.is_dir():
            raise VideoError(f"{self.path}: cannot write the video (no folder {self.path.parent})")
        self.writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), frames_per_second, size)
        if not self.writer.isOpened():
            raise VideoError(f"{self.path}: cannot write the video (not writable, or not a .mp4 name)")

    def write(self, image, faces):
        from .annotate import draw_predictions

        self.writer.write(np.asarray(draw_predictions(image, faces))[:, :, ::-1])

    def close(self):
        self.writer.release()


def summarise(rows, seconds_per_frame) -> list:
    """Per face: seconds seen, first and last time, the share of its frames labelled happy and sad."""
    faces = {}
    for row in rows:
        faces.setdefault(row.face, []).append(row)
    summary = []
    for number, seen in sorted(faces.items()):
        sad = sum(row.label == "sad" for row in seen) / len(seen)
        summary.append({"face": number, "seconds_seen": round(len(seen) * seconds_per_frame, 2),
                        "first_s": round(seen[0].time_s, 2), "last_s": round(seen[-1].time_s, 2),
                        "happy_share": round(1 - sad, 3), "sad_share": round(sad, 3),
                        "mean_p_sad": round(float(np.mean([row.p_sad for row in seen])), 3)})
    return summary


def summary_text(summary) -> str:
    if not summary:
        return "no face was found in the frames read"
    lines = ["face  seen    from     to       happy  sad"]
    for face in summary:
        lines.append(f"{face['face']:<5} {face['seconds_seen']:>5.1f} s {face['first_s']:>6.1f} s {face['last_s']:>6.1f} s "
                     f"{face['happy_share']:>6.0%} {face['sad_share']:>4.0%}")
    return "\n".join(lines)


def write_summary(summary, path):
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["face", "seconds_seen", "first_s", "last_s", "happy_share",
                                                  "sad_share", "mean_p_sad"])
        writer.writeheader()
        writer.writerows(summary)


def plot_timeline(rows, path=None, title=None):
    """Each face's smoothed P(happy) over time, one row per face, shaded by the label shown."""
    import matplotlib
    if path:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .annotate import LABEL_COLOURS

    faces = sorted({row.face for row in rows})
    figure, axes = plt.subplots(len(faces) or 1, 1, figsize=(9, 1.6 * max(1, len(faces)) + 0.6), sharex=True,
                                squeeze=False)
    for ax, number in zip(axes[:, 0], faces):
        seen = [row for row in rows if row.face == number]
        times = np.array([row.time_s for row in seen])
        ax.plot(times, [1 - row.p_sad for row in seen], color="0.75", linewidth=0.8, label="each frame")
        ax.plot(times, [1 - row.p_sad_smoothed for row in seen], color="black", linewidth=1.6, label="smoothed")
        step = np.median(np.diff(times)) if len(times) > 1 else 0.1
        for row, start in zip(seen, times):
            ax.axvspan(start - step / 2, start + step / 2, color=np.array(LABEL_COLOURS[row.label]) / 255,
                       alpha=0.25, linewidth=0)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"face {number}\nP(happy)")
        ax.axhline(0.5, color="0.5", linewidth=0.5, linestyle=":")
    if faces:
        axes[0, 0].legend(loc="lower left", fontsize=8, frameon=False)
    else:
        axes[0, 0].text(0.5, 0.5, "no face found", ha="center", va="center", transform=axes[0, 0].transAxes)
    axes[-1, 0].set_xlabel("time (s)")
    figure.suptitle(title or "Each face over time (shaded: the label shown, yellow happy, blue sad)", fontsize=10)
    figure.tight_layout()
    if path:
        figure.savefig(path, dpi=110)
        plt.close(figure)
    return figure


class LiveWindow:
    """The annotated frames in a window, where a screen exists (Tk, from Python's standard library)."""

    def __init__(self, title):
        import tkinter

        from PIL import ImageTk

        self.ImageTk = ImageTk
        self.root = tkinter.Tk()  # raises TclError where there is no display
        self.root.title(title)
        self.label = tkinter.Label(self.root)
        self.label.pack()
        self.closed = False
        self.root.protocol("WM_DELETE_WINDOW", self.close)
        self.root.bind("<Escape>", lambda event: self.close())
        self.root.bind("q", lambda event: self.close())

    def show(self, image):
        self.photo = self.ImageTk.PhotoImage(image)
        self.label.configure(image=self.photo)
        self.root.update()

    def close(self):
        if not self.closed:
            self.closed = True
            self.root.destroy()


def open_window(title):
    try:
        return LiveWindow(title)
    except Exception:  # no display, or no Tk: the outputs are the same without it
        return None


def run_video(args) -> int:
    """`python -m happysad video`: see the module's docstring. Exit 0, or 1 when the video broke off
    (the rows read before are kept), 2 when nothing could start."""
    from .classifier import ModelError, load_classifier

    if (args.path is None) == (args.camera is None):
        print("error: give a video file or --camera N (one of them)", file=sys.stderr)
        return 2
    if args.every < 1:
        print("error: --every takes a whole number of frames, 1 or more", file=sys.stderr)
        return 2
    table = annotated = source = window = None
    try:
        source = VideoSource(args.path, args.camera)
        classifier = load_classifier(args.model)
        table = TableWriter(args.csv) if args.csv else None
        if args.out:
            annotated = AnnotatedWriter(args.out, source.frames_per_second / args.every, source.frame_size())
    except (VideoError, ModelError) as error:
        print(f"error: {error}", file=sys.stderr)
        for opened in (table, annotated, source):
            if opened:
                opened.close()
        return 2
    if args.camera is not None and not args.no_window:
        window = open_window(f"happysad: {source.name} (q or Esc to stop)")
    rows, status, fault = [], 0, None
    progress = None
    if source.declared_frames and sys.stderr.isatty():
        from tqdm import tqdm
        progress = tqdm(total=math.ceil(source.declared_frames / args.every), unit="frame", file=sys.stderr,
                        desc=Path(source.name).name)
    try:
        for index, time_s, image, faces in follow_faces(source, classifier, args.every, args.smoothing):
            rows += faces
            if table:
                table.write(faces)
            if annotated:
                annotated.write(image, faces)
            if window:
                from .annotate import draw_predictions
                window.show(draw_predictions(image, faces))
                if window.closed:
                    break
            if progress:
                progress.update(1)
        fault = source.cut_short()
    except VideoError as error:
        fault = str(error)
    except KeyboardInterrupt:
        status = 0 if args.camera is not None else 130  # stopping a camera is how it ends
        print(f"\nstopped at {len(rows)} rows; everything read so far is kept", file=sys.stderr)
    finally:
        for opened in (progress, table, annotated, window, source):
            if opened:
                opened.close()
    summary = summarise(rows, args.every / source.frames_per_second)
    print(summary_text(summary))
    if table and rows:
        stem = Path(args.csv).with_suffix("")
        write_summary(summary, f"{stem}.summary.csv")
        plot_timeline(rows, f"{stem}.timeline.png", title=f"{Path(source.name).name}: each face over time")
        print(f"wrote {args.csv}, {stem}.summary.csv and {stem}.timeline.png"
              + (f"; {args.out}" if annotated else ""))
    elif annotated:
        print(f"wrote {args.out}")
    if fault:
        print(f"error: {fault}", file=sys.stderr)
        return 1
    return status
