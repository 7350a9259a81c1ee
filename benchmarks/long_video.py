"""Hours of video in flat memory and flat time: memory and time per frame along one long clip.

    python tasks.py bench long_video [--minutes 60] [--clip ../shared/datasets/videos/woman2.mp4] [--model M]

Makes a clip of `--minutes` (default an hour) by playing the shared clip over and over, then reads
it as a study reads a video (happysad.answer.study.analyse: every frame, one pass, the table
written as it goes) in this process, with glibc's default malloc as `video` has it. Prints, at
the end of the first minute of video, of every tenth of the clip after it and of the clip, the
process's resident memory and the mean time per frame over the last minute of video read: both
curves' ends are the figures that count.
"""
import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from timing import cpu_name
from happysad.answer import frames as frames_module
from happysad.answer.frames import VideoSource
from happysad.answer.study import Recording, analyse, fingerprint
from happysad.config import ONE_PASS, SHIPPED_MODEL

CLIP = Path(__file__).resolve().parents[2] / "shared/datasets/videos/woman2.mp4"


def looped_clip(clip, minutes, path):
    import cv2

    source = VideoSource(clip)
    pictures = [np.ascontiguousarray(p[:, :, ::-1]) for _, _, p in source.frames()]
    rate, size = source.frames_per_second, source.frame_size()
    source.close()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), rate, size)
    for index in range(int(minutes * 60 * rate)):
        forwards = (index // len(pictures)) % 2 == 0  # back and forth, so the face never jumps
        writer.write(pictures[index % len(pictures) if forwards else -1 - index % len(pictures)])
    writer.release()
    return rate


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2 ** 20


def main():
    if any(name.startswith("MALLOC_") for name in os.environ):
        # As `video` runs for a user: with glibc's own malloc (tasks.py gives every command the
        # settings that speed TensorFlow's training, which keep freed memory instead of returning it).
        plain = {name: value for name, value in os.environ.items() if not name.startswith("MALLOC_")}
        os.execve(sys.executable, [sys.executable, *sys.argv], plain)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--clip", default=CLIP, type=Path)
    parser.add_argument("--model", default=SHIPPED_MODEL)
    args = parser.parse_args()
    samples = []  # (seconds of video, resident MB, wall time)
    original = VideoSource._timestamp

    def timestamp(self, index, last_time):  # a look at the process at every frame's time
        time_s = original(self, index, last_time)
        if not samples or time_s - samples[-1][0] >= 10:
            samples.append((time_s, resident_mb(), time.perf_counter()))
        return time_s

    with tempfile.TemporaryDirectory() as folder:
        print(f"Making a {args.minutes:g}-minute clip from {args.clip.name} ...", flush=True)
        rate = looped_clip(args.clip, args.minutes, Path(folder, "long.mp4"))
        frames_module.VideoSource._timestamp = timestamp  # the long clip's frames only, not the shared clip's
        settings = {"every": 1, "smoothing": 0.5, "copies": ONE_PASS}
        started = time.perf_counter()
        outcome = analyse(Recording(Path(folder, "long.mp4"), "long"), Path(folder, "results"), args.model,
                          settings, fingerprint(args.model, settings), threads=None)
    total = time.perf_counter() - started
    after = resident_mb()  # once the summary and the timeline have been made from the table read back
    print(f"\n{cpu_name()}: {outcome.duration_s / 60:.1f} min of video ({outcome.frames_read} frames, "
          f"{outcome.status}) in {total / 60:.1f} min\n")
    print("| video read, min | resident MB | ms per frame over the last minute of video |\n|---|---|---|")
    marks = [60] + [args.minutes * 60 * k / 10 for k in range(1, 11)]
    for mark in sorted({m for m in marks if m < samples[-1][0]} | {samples[-1][0]}):
        at = min(range(len(samples)), key=lambda i: abs(samples[i][0] - mark))
        before = min(range(len(samples)), key=lambda i: abs(samples[i][0] - (samples[at][0] - 60)))
        frames = (samples[at][0] - samples[before][0]) * rate
        per_frame = (samples[at][2] - samples[before][2]) / frames * 1000 if frames else float("nan")
        print(f"| {samples[at][0] / 60:.1f} | {samples[at][1]:.0f} | {per_frame:.1f} |")
    print(f"\nresident memory after the summary and timeline were made from the table: {after:.0f} MB")


if __name__ == "__main__":
    main()
