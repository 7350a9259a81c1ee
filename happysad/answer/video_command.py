"""`python -m happysad video`: a clip or a camera in, the table, an annotated copy, a live window,
the summary and the timeline out.

    python -m happysad video CLIP.mp4 --csv faces.csv --out annotated.mp4 [--every 3] [--copies 10]
    python -m happysad video --camera 0 --csv faces.csv

The table is written as it goes (a crash, a cut file or Ctrl-C keeps every row read before); a
live window for a camera where a screen exists (Tk, imported only then); at the end a per-face
summary, printed and saved beside the table with a timeline figure (happysad.answer.report).
"""
import csv
import math
import queue
import sys
import threading
from pathlib import Path

import numpy as np

from .frames import VideoError, VideoSource
from .report import face_series, plot_timeline, read_table, summarise, summary_text, write_summary
from .video import COLUMNS, follow_faces


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
    """An MP4 copy of the frames read, each face boxed with its number, label and confidence, drawn
    and encoded in a thread of its own (OpenCV encodes without holding Python's lock, beside the
    detector and the classifier); `close` waits for the last frame."""

    def __init__(self, path, frames_per_second, size, frames_ahead=8):
        import cv2

        self.path, self.cv2 = Path(path), cv2
        if not self.path.parent.is_dir():
            raise VideoError(f"{self.path}: cannot write the video (no folder {self.path.parent})")
        self.writer = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), frames_per_second, size)
        if not self.writer.isOpened():
            raise VideoError(f"{self.path}: cannot write the video (not writable, or not a .mp4 name)")
        self._waiting = queue.Queue(frames_ahead)
        self._thread = threading.Thread(target=self._encode, name="annotate", daemon=True)
        self._thread.start()

    def write(self, image, faces):
        self._waiting.put((image, faces))

    def _encode(self):
        from .annotate import draw_predictions

        while (frame := self._waiting.get()) is not None:
            image, faces = frame
            self.writer.write(self.cv2.cvtColor(np.asarray(draw_predictions(image, faces)), self.cv2.COLOR_RGB2BGR))

    def close(self):
        self._waiting.put(None)
        self._thread.join()
        self.writer.release()


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

    if args.every < 1:
        print("error: --every takes a whole number of frames, 1 or more", file=sys.stderr)
        return 2
    if args.out_dir and args.path and args.camera is None and not (args.csv or args.out):
        from .study import run_study
        return run_study(args)
    if args.out_dir or len(args.path) > 1:
        print("error: a study takes video files, folders or patterns and --out-dir, and neither --camera, --csv nor "
              "--out (each video's table goes into --out-dir)", file=sys.stderr)
        return 2
    if bool(args.path) == (args.camera is not None):
        print("error: give a video file or --camera N (one of them)", file=sys.stderr)
        return 2
    args.path = args.path[0] if args.path else None
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
    rows_read = 0
    try:
        for index, time_s, image, faces in follow_faces(source, classifier, args.every, args.smoothing,
                                                        copies=args.copies):
            rows_read += len(faces)
            if table:  # the rows go to the table only, and are read back at the end: memory stays flat
                table.write(faces)
            else:
                rows += faces
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
        print(f"\nstopped at {rows_read} rows; everything read so far is kept", file=sys.stderr)
    finally:
        for opened in (progress, table, annotated, window, source):
            if opened:
                opened.close()
    if table:
        rows = face_series(read_table(args.csv))
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
