"""Training throughput: the notebook's own loop against the same model on in-memory data.

    .venv/bin/python benchmarks/training_speed.py [--data-dir .] [--steps 40] [--batch-size 64]

For the shipped architecture and for the first version's (299,601 parameters), prints the
images/s of `fit` on the notebook's ImageDataGenerator flow (augmentation, class weights,
op determinism, the notebook's checkpoint callbacks), the images/s on random arrays held in
memory (the model alone), and their ratio. The first few steps (graph tracing) are not timed.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import happysad  # noqa: E402,F401  (quiets TensorFlow before it is imported)
import keras  # noqa: E402
import numpy as np  # noqa: E402

from happysad import generators, training  # noqa: E402
from happysad.model import FIRST_VERSION, make_model  # noqa: E402

WARMUP_STEPS = 5


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


def real_loop(options, data_dir, steps, batch_size):
    training.make_reproducible(42)
    train_flow, validation_flow = generators.make_generators(data_dir, batch_size=batch_size, seed=42)
    model = make_model(**options)
    with tempfile.TemporaryDirectory() as work:
        callbacks = training.make_callbacks(Path(work, "best.keras"))
        return images_per_second(
            lambda total, timer: model.fit(train_flow, validation_data=validation_flow, validation_steps=1,
                                           steps_per_epoch=total, epochs=1, verbose=0, callbacks=[*callbacks, timer],
                                           class_weight=training.balanced_class_weights(train_flow.classes)),
            steps, batch_size), model.count_params()


def in_memory(options, steps, batch_size):
    training.make_reproducible(42)
    model = make_model(**options)
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
    args = parser.parse_args()
    print(f"{args.steps} timed steps of batch {args.batch_size} after {WARMUP_STEPS} warm-up steps\n")
    print("| architecture | parameters | notebook loop img/s | in-memory img/s | loop / in-memory |")
    print("|---|---|---|---|---|")
    for name, options in (("shipped", {}), ("first version", FIRST_VERSION)):
        loop, parameters = real_loop(options, args.data_dir, args.steps, args.batch_size)
        memory = in_memory(options, args.steps, args.batch_size)
        print(f"| {name} | {parameters:,} | {loop:.0f} | {memory:.0f} | {loop / memory:.2f} |", flush=True)


if __name__ == "__main__":
    main()
