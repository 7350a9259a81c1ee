"""Frames of a video file or a camera, each with its time.

Frames are read with OpenCV; a frame's time is the file's own timestamp for it (phones, screen
recorders and browsers write variable frame rates), the clock for a camera.
"""
import math
import queue
import threading
import time
from pathlib import Path

DEFAULT_FRAME_RATE = 30.0  # when a file does not say its own
FRAMES_AHEAD = 4  # frames decoded in a thread of their own while the one before is being looked at


class VideoError(RuntimeError):
    """A video, camera or output that cannot be used; str() names it and the problem."""


class _Untimed:
    """What the pipeline tells its stages to (`start("decode")`, ..., `stop()`) when nothing times
    them; a benchmark passes a stopwatch with the same two methods."""

    def start(self, stage):
        pass

    def stop(self):
        pass


untimed = _Untimed()


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

    def frames(self, every=1, stopwatch=None, ahead=FRAMES_AHEAD):
        """(index, time_s, RGB array) of every `every`th frame, from the first; up to `ahead` of them
        decoded beforehand, in a thread of their own (OpenCV decodes without holding Python's lock,
        so that runs beside the detector and the classifier). The stopwatch's "decode" is the wait."""
        stopwatch = stopwatch or untimed
        decoded = self._decoded(every) if self.camera is not None or not ahead else _read_ahead(self._decoded(every), ahead)
        try:
            while True:
                stopwatch.start("decode")
                try:
                    frame = next(decoded)
                except StopIteration:
                    return
                yield frame
        finally:
            decoded.close()

    def _decoded(self, every):
        started, index, last_time = time.monotonic(), 0, -math.inf
        while True:
            if index % every:
                if not self.capture.grab():  # a skipped frame is not decoded into pixels
                    break
                index += 1
                continue
            ok, frame = self.capture.read()
            if not ok or frame is None:
                break
            self.frames_read = index + 1
            time_s = time.monotonic() - started if self.camera is not None else self._timestamp(index, last_time)
            last_time = time_s
            yield index, time_s, self.cv2.cvtColor(frame, self.cv2.COLOR_BGR2RGB)
            index += 1
        if index == 0:
            raise VideoError(f"{self.name}: no frame could be decoded (an empty video, or a codec OpenCV cannot read)")

    def _timestamp(self, index: int, last_time: float) -> float:
        """The frame just read's time in the file: its presentation timestamp, or, where the file
        gives none that moves forward, its place at the declared frame rate."""
        milliseconds = self.capture.get(self.cv2.CAP_PROP_POS_MSEC)
        if math.isfinite(milliseconds) and milliseconds / 1000 > last_time and (index == 0 or milliseconds > 0):
            return milliseconds / 1000
        return max(index / self.frames_per_second, last_time + 1 / self.frames_per_second)

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


def _read_ahead(items, size):
    """The items of a generator, produced up to `size` ahead by a thread; its exceptions are raised
    here, where they are read. Closing this generator stops the thread."""
    waiting, stop, done = queue.Queue(size), threading.Event(), object()

    def produce():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        waiting.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put((done, None))
        except BaseException as error:  # handed to the reader
            waiting.put((done, error))
        finally:
            items.close()

    thread = threading.Thread(target=produce, name="decode", daemon=True)
    thread.start()
    try:
        while True:
            item, error = waiting.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
