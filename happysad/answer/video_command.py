"""`python -m happysad video`: a clip or a camera in, the table, an annotated copy, a live window,
the summary and the timeline out.

    python -m happysad video CLIP.mp4 --csv faces.csv --out annotated.mp4 [--every 3] [--copies 10]
    python -m happysad video --camera 0 --csv faces.csv

The table is written as it goes (a crash, a cut file or Ctrl-C keeps every row read before); a
live window for a camera where a screen exists (Tk, imported only then); at the end a per-face
summary, printed and saved beside the table with a timeline figure (happysad.answer.report).
"""
import math
import queue
import sys
import threading
from pathlib import Path

import numpy as np

from .frames import VideoError, VideoSource
from .report import TableWriter, summarise, summary_text, write_results
from .video import read_video


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
    """`python -m happysad video` for one video file or a camera (a study: happysad.answer.study): see the
    module's docstring. Exit 0, or 1 when the video broke off (the rows read before are kept), 2 when
    nothing could start, 130 on Ctrl-C while reading a file (every row read is kept)."""
    from .classifier import ModelError, load_classifier

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
    progress = None
    if source.declared_frames and sys.stderr.isatty():
        from tqdm import tqdm
        progress = tqdm(total=math.ceil(source.declared_frames / args.every), unit="frame", file=sys.stderr,
                        desc=Path(source.name).name)

    def on_frame(image, faces):
        if annotated:
            annotated.write(image, faces)
        if window:
            from .annotate import draw_predictions
            window.show(draw_predictions(image, faces))
            if window.closed:
                return False
        if progress:
            progress.update(1)

    try:
        run = read_video(source, classifier, table, args.every, args.smoothing, args.copies, on_frame)
    finally:
        for opened in (progress, table, annotated, window, source):
            if opened:
                opened.close()
    status = 0
    if run.interrupted:
        status = 0 if args.camera is not None else 130  # stopping a camera is how it ends
        print(f"\nstopped after {run.frames} frames; everything read so far is kept", file=sys.stderr)
    frame_seconds = run.frame_seconds(args.every / source.frames_per_second)
    if table:
        summary = write_results(args.csv, frame_seconds, title=f"{Path(source.name).name}: each face over time")
    else:
        summary = summarise(run.rows, frame_seconds)
    print(summary_text(summary))
    if table and summary:
        stem = Path(args.csv).with_suffix("")
        print(f"wrote {args.csv}, {stem}.summary.csv and {stem}.timeline.png" + (f"; {args.out}" if annotated else ""))
    elif annotated:
        print(f"wrote {args.out}")
    if run.fault:
        print(f"error: {run.fault}", file=sys.stderr)
        return 1
    return status
