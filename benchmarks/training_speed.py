"""Training throughput: the notebook's own loop against the same model on in-memory data.

    .venv/bin/python benchmarks/training_speed.py [--data-dir .] [--steps 40] [--batch-size 64] [--plain-malloc]

For the shipped architecture and for the first version's (299,601 parameters), prints the
images/s of `fit` on the notebook's own cells (its ImageDataGenerator flow with augmentation,
its compiled model, its callbacks, class weights, op determinism), the images/s on random
arrays held in memory (the model alone), and their ratio. The first few steps (graph
tracing) are not timed. It runs with the glibc malloc settings `python tasks.py run` gives the
notebook's kernel (restarting itself with them, since glibc reads them at start-up);
--plain-malloc measures glibc's defaults instead.
"""
import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tasks  # noqa: E402
import happysad  # noqa: E402,F401  (quiets TensorFlow before it is imported)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from happysad import training  # noqa: E402
from happysad.notebook import run_steps  # noqa: E402

WARMUP_STEPS = 5
# The first version's layout, 64x64 all the way, for comparison (its light dropout after each block, which
# costs no time to speak of, is left out: the notebook's make_model has no such option).
FIRST_VERSION = dict(blocks=((16, 1), (32, 1), (64, 2), (128, 2)), internal_size=64, dense_units=128)


class StepTimer(keras.callbacks.Callback):
    """Wall time of the training steps after the warm-up ones."""

    def __init__(self):
        super().__init__()
        self.started = self.elapsed = None
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 == WARMUP_STEPS:
            self.started = time.perf_counter()
        elif batch + 1 > WARMUP_STEPS:
            self.steps += 1
            self.elapsed = time.perf_counter() - self.started


def images_per_second(fit, steps, batch_size):
    timer = StepTimer()
    fit(steps + WARMUP_STEPS, timer)
    return timer.steps * batch_size / timer.elapsed


def notebook_model(options, **parameters):
    """The notebook's flows, callbacks and model compiled by its own cell, built with `options`."""
    with contextlib.redirect_stdout(io.StringIO()):  # the cells' "Found N images" lines would break the table
        steps = run_steps("flows", "model", **parameters)
        make_model = steps["make_model"]
        steps["make_model"] = lambda channels: make_model(channels, **options)
        return run_steps("compile", "callbacks", namespace=steps)


def real_loop(options, data_dir, steps, batch_size):
    with tempfile.TemporaryDirectory() as work:
        loop = notebook_model(options, DATA_DIR=data_dir, OUTPUT_DIR=work, BATCH_SIZE=batch_size, SEED=42)
        model, train_flow = loop["model"], loop["train_flow"]
        return images_per_second(
            lambda total, timer: model.fit(train_flow, validation_data=loop["validation_flow"], validation_steps=1,
                                           steps_per_epoch=total, epochs=1, verbose=0,
                                           callbacks=[*loop["callbacks"], timer],
                                           class_weight=training.balanced_class_weights(train_flow.classes)),
            steps, batch_size), model.count_params()


def in_memory(options, data_dir, steps, batch_size):
    with tempfile.TemporaryDirectory() as work:
        model = notebook_model(options, DATA_DIR=data_dir, OUTPUT_DIR=work, BATCH_SIZE=batch_size, SEED=42)["model"]
    rng = np.random.default_rng(0)
    images = rng.random((batch_size * 8, 64, 64, 1), dtype=np.float32)
    labels = rng.integers(0, 2, len(images)).astype(np.float32)
    dataset = __import__("tensorflow").data.Dataset.from_tensor_slices((images, labels)).batch(batch_size).repeat()
    return images_per_second(
        lambda total, timer: model.fit(dataset, steps_per_epoch=total, epochs=1, verbose=0, shuffle=False,
                                       callbacks=[timer]),
        steps, batch_size)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--steps", type=int, default=40, help="timed steps (at least 30)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--plain-malloc", action="store_true", help="glibc's default malloc settings")
    args = parser.parse_args()
    wanted = tasks.child_environment()
    if args.plain_malloc:
        for name in tasks.GLIBC_MALLOC_SETTINGS:
            wanted.pop(name, None)
    if any(os.environ.get(name) != wanted.get(name) for name in tasks.GLIBC_MALLOC_SETTINGS):
        os.execve(sys.executable, [sys.executable, *sys.argv], wanted)  # glibc reads them only at start-up
    malloc = ", ".join(f"{name}={os.environ[name]}" for name in tasks.GLIBC_MALLOC_SETTINGS if name in os.environ)
    print(f"{args.steps} timed steps of batch {args.batch_size} after {WARMUP_STEPS} warm-up steps; "
          f"malloc: {malloc or 'glibc defaults'}\n")
    print("| architecture | parameters | notebook loop img/s | in-memory img/s | loop / in-memory |")
    print("|---|---|---|---|---|")
    for name, options in (("shipped", {}), ("first version", FIRST_VERSION)):
        loop, parameters = real_loop(options, args.data_dir, args.steps, args.batch_size)
        memory = in_memory(options, args.data_dir, args.steps, args.batch_size)
        print(f"| {name} | {parameters:,} | {loop:.0f} | {memory:.0f} | {loop / memory:.2f} |", flush=True)


if __name__ == "__main__":
    main()
