"""A whole study's speed: `python -m happysad video FOLDER --out-dir` with one job and with one per core.

    python tasks.py bench study [--clip ../shared/datasets/videos/woman2.mp4] [--copies-of-clip 6] [--model M]

Makes a folder of participants' sessions, each a copy of the shared clip (P01/session.mp4, ...),
then runs the whole command, a new process as a user runs it, once with `--jobs 1` and once with
the default (one job per core), each into a fresh results folder, and prints seconds of video
read per wall second, every frame read, one pass, and the speed-up of all cores over one. Prints
the CPU.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import cpu_name
from happysad.answer.frames import VideoSource
from happysad.config import SHIPPED_MODEL

CLIP = Path(__file__).resolve().parents[2] / "shared/datasets/videos/woman2.mp4"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default=CLIP, type=Path)
    parser.add_argument("--copies-of-clip", type=int, default=6)
    parser.add_argument("--model", default=SHIPPED_MODEL)
    args = parser.parse_args()
    source = VideoSource(args.clip)
    seconds = source.declared_frames / source.frames_per_second
    source.close()
    cores = os.cpu_count() or 1
    print(f"Study on {cpu_name()}: {args.copies_of_clip} copies of {args.clip.name} ({seconds:.1f} s each, "
          f"{args.copies_of_clip * seconds:.0f} s in all), every frame, one pass\n")
    print("| jobs | wall s | seconds of video per wall second | x one job |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        study = Path(folder, "study")
        for index in range(args.copies_of_clip):
            (study / f"P{index + 1:02d}").mkdir(parents=True)
            shutil.copy(args.clip, study / f"P{index + 1:02d}" / "session.mp4")
        rates = {}
        for jobs in (1, cores):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "happysad", "video", str(study), "--out-dir",
                            str(Path(folder, f"results-{jobs}")), "--jobs", str(jobs), "--model", str(args.model)],
                           check=True, capture_output=True)
            wall = time.perf_counter() - started
            rates[jobs] = args.copies_of_clip * seconds / wall
            print(f"| {jobs} | {wall:.1f} | {rates[jobs]:.2f} | {rates[jobs] / rates[1]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
