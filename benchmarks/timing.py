"""How fast things run on this machine: faces a second in batches, one face's time, the CPU's name,
and a stopwatch for the video pipeline's stages. The benchmarks and the experiments time every
model with these, so their figures compare."""
import platform
import subprocess
import time
from pathlib import Path

import numpy as np


# What tells the machines apart where /proc/cpuinfo names them alike ("AMD EPYC"): the widest
# vector units and bfloat16 (training runs mixed_bfloat16 only where the CPU computes it).
ISA = (("amx_bf16", "AMX"), ("avx512_bf16", "AVX-512 with BF16"), ("avx512f", "AVX-512"), ("avx2", "AVX2"))


def cpu_name() -> str:
    """"2 x AMD EPYC (AVX-512 with BF16)": the cores, the model's name and its widest vector unit."""
    try:
        lines = open("/proc/cpuinfo").read().splitlines()
    except OSError:
        return platform.processor() or platform.machine()
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    flags = set(next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), []))
    widest = next((name for flag, name in ISA if flag in flags), None)
    name = f"{len(names)} x {names[0]}" if names else platform.processor()
    return f"{name} ({widest})" if widest else name


def provenance() -> str:
    """Where a result file's figures come from: the CPU and the commit (marked when the working tree
    differs from it)."""
    def git(*arguments):
        try:
            return subprocess.run(["git", *arguments], cwd=Path(__file__).resolve().parent, capture_output=True,
                                  text=True, timeout=30).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "..", ":(exclude)RESULTS*.md")
    changed = " with uncommitted changes" if changed else ""
    return f"Measured on {cpu_name()}, at commit {commit}{changed}."


def images_per_second(model, arrays, batch=256, rounds=5):
    batch_arrays = np.stack([arrays[i % len(arrays)] for i in range(batch)])
    model(batch_arrays)  # warm up
    started = time.perf_counter()
    for _ in range(rounds):
        model(batch_arrays)
    return rounds * batch / (time.perf_counter() - started)


def milliseconds_for_one_face(model, arrays, rounds=200):
    """Median time of one face alone, as a camera frame with one face is classified."""
    one = arrays[0][None]
    model(one)  # warm up
    times = []
    for index in range(rounds):
        started = time.perf_counter()
        model(arrays[index % len(arrays)][None])
        times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


STAGES = ("decode", "detect", "classify", "track", "write")  # the video pipeline's, as it names them


class Stopwatch:
    """Seconds spent in each stage of the video pipeline: it calls `start(stage)` as each begins."""

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
