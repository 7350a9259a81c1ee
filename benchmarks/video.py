"""Video speed: frames per second of `python -m happysad video`, whole process, and the time each
stage of the pipeline takes per frame.

    python tasks.py bench video [--clip ../shared/datasets/videos/woman2.mp4] [--every 1 3] [--model M]

For each --every: the command itself (a new process, the table and the annotated copy written, as
a user runs it) timed from start to exit, then the same pipeline in this process with a stopwatch
on each stage: decode (OpenCV), detect (BlazeFace on LiteRT, every face boxed again at one scale),
classify (the saved model's LiteRT file), track (ByteTrack and the smoothing), write (the CSV
row and the annotated MP4 frame). Prints the clip's own frame rate beside them.
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from happysad.answer.classifier import load_classifier
from happysad.answer.video import STAGES, AnnotatedWriter, Stopwatch, TableWriter, VideoSource, follow_faces
from happysad.config import SHIPPED_MODEL

CLIP = Path(__file__).resolve().parents[2] / "shared/datasets/videos/woman2.mp4"


def whole_command(clip, every, model, folder) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "happysad", "video", str(clip), "--every", str(every), "--model", str(model),
                    "--csv", str(folder / "faces.csv"), "--out", str(folder / "annotated.mp4")],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def stages(clip, every, model, folder):
    source, stopwatch = VideoSource(clip), Stopwatch()
    table = TableWriter(folder / "staged.csv")
    annotated = AnnotatedWriter(folder / "staged.mp4", source.frames_per_second / every, source.frame_size())
    frames, faces = 0, 0
    started = time.perf_counter()
    for _, _, image, found in follow_faces(source, load_classifier(model), every, stopwatch=stopwatch):
        stopwatch.start("write")
        table.write(found)
        annotated.write(image, found)
        frames, faces = frames + 1, faces + len(found)
    stopwatch.stop()
    elapsed = time.perf_counter() - started
    for opened in (table, annotated, source):
        opened.close()
    return frames, faces, elapsed, stopwatch.seconds, source.frames_per_second


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default=CLIP, type=Path)
    parser.add_argument("--every", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--model", default=SHIPPED_MODEL)
    args = parser.parse_args()
    if not args.clip.is_file():
        raise SystemExit(f"no clip at {args.clip}: give one with --clip")
    print("| clip | every | frames read | faces | whole command, frames/s | pipeline frames/s | "
          + " | ".join(f"{stage} ms" for stage in STAGES) + " | clip's own frames/s |")
    print("|---" * (7 + len(STAGES)) + "|")
    for every in args.every:
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            frames, faces, elapsed, seconds, rate = stages(args.clip, every, args.model, folder)
            whole = whole_command(args.clip, every, args.model, folder)
        per_frame = " | ".join(f"{seconds[stage] / frames * 1000:.1f}" for stage in STAGES)
        print(f"| {args.clip.name} | {every} | {frames} | {faces} | {frames / whole:.1f} (incl. start-up) "
              f"| {frames / elapsed:.1f} | {per_frame} | {rate / every:.1f} |", flush=True)


if __name__ == "__main__":
    main()
