"""Training throughput: the notebook's own loop against the same model on in-memory data.

    python tasks.py bench training_speed [--data-dir .] [--steps 40] [--batch-size 64] [--plain-malloc]
                                         [--looking-down-share 0.3]

For the shipped architecture and for a smaller one like the first version's, prints the images/s
of `fit` on the notebook's own cells (its ImageDataGenerator flow over the training table with
augmentation and mixed resize filters, its compiled model, its callbacks, op determinism), the
images/s on random arrays held in memory (the model alone), and their ratio. The first few steps
(graph tracing) are not timed. Run through tasks.py, it gets the glibc malloc settings the
notebook's kernel gets; --plain-malloc restarts it without any MALLOC_* variable (glibc reads
them only at start-up) to measure glibc's defaults. --looking-down-share sets the notebook's
LOOKING_DOWN_SHARE (default: the notebook's own), to price that augmentation.
"""
import argparse
import contextlib
import io
import os
import sys
import tempfile
import time

import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)
import keras
import numpy as np

from happysad.train.notebook import run_steps
from happysad.train.progress import PROGRESS_VARIABLE

WARMUP_STEPS = 5
# The first version's layers, for comparison (its light dropout after each block, which costs no time
# to speak of, is left out: the notebook's make_model has no such option).
FIRST_VERSION = dict(blocks=((16, 1), (32, 1), (64, 2), (128, 2)), dense_units=128)


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
        steps["make_model"] = lambda input_shape, classes: make_model(input_shape, classes, **options)
        return run_steps("compile", "callbacks", namespace=steps)


def real_loop(options, data_dir, steps, batch_size, **parameters):
    with tempfile.TemporaryDirectory() as work:
        loop = notebook_model(options, DATA_DIR=data_dir, OUTPUT_DIR=work, BATCH_SIZE=batch_size, SEED=42,
                              **parameters)
        model, train_flow = loop["model"], loop["train_flow"]
        return images_per_second(
            lambda total, timer: model.fit(train_flow, validation_data=loop["validation_flow"], validation_steps=1,
                                           steps_per_epoch=total, epochs=1, verbose=0,
                                           callbacks=[*loop["callbacks"], timer]),
            steps, batch_size), model.count_params()


def in_memory(options, data_dir, steps, batch_size):
    with tempfile.TemporaryDirectory() as work:
        model = notebook_model(options, DATA_DIR=data_dir, OUTPUT_DIR=work, BATCH_SIZE=batch_size, SEED=42)["model"]
    rng = np.random.default_rng(0)
    images = rng.random((batch_size * 8, *model.input_shape[1:]), dtype=np.float32)
    classes = model.output_shape[-1]
    labels = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, len(images))]
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
    parser.add_argument("--looking-down-share", type=float, help="the notebook's LOOKING_DOWN_SHARE")
    args = parser.parse_args()
    malloc_names = [name for name in os.environ if name.startswith("MALLOC_")]
    if args.plain_malloc and malloc_names:
        plain = {name: value for name, value in os.environ.items() if name not in malloc_names}
        os.execve(sys.executable, [sys.executable, *sys.argv], plain)  # glibc reads them only at start-up
    # the notebook's progress callback runs as under `tasks.py run`, writing to a file no one reads
    os.environ[PROGRESS_VARIABLE] = os.path.join(tempfile.mkdtemp(prefix="happysad-speed-"), "progress")
    malloc = ", ".join(f"{name}={os.environ[name]}" for name in sorted(malloc_names))
    share = {} if args.looking_down_share is None else {"LOOKING_DOWN_SHARE": args.looking_down_share}
    print(f"{args.steps} timed steps of batch {args.batch_size} after {WARMUP_STEPS} warm-up steps; "
          f"malloc: {malloc or 'glibc defaults'}" + (f"; LOOKING_DOWN_SHARE {args.looking_down_share}" if share else "") + "\n")
    print("| architecture | parameters | notebook loop img/s | in-memory img/s | loop / in-memory |")
    print("|---|---|---|---|---|")
    for name, options in (("shipped", {}), ("first version", FIRST_VERSION)):
        loop, parameters = real_loop(options, args.data_dir, args.steps, args.batch_size, **share)
        memory = in_memory(options, args.data_dir, args.steps, args.batch_size)
        print(f"| {name} | {parameters:,} | {loop:.0f} | {memory:.0f} | {loop / memory:.2f} |", flush=True)


if __name__ == "__main__":
    main()
