"""Training progress you can see: a bar with the time left, inside every epoch.

In Jupyter the bar is a widget (tqdm), redrawn in place, so a saved notebook keeps no trail of
updates. When `python tasks.py run` executes the notebook it sets HAPPYSAD_PROGRESS_FILE: the
state then goes to that file, which tasks.py draws on one line of the terminal, and nothing is
added to the notebook. Either way, after the first epoch one printed line says how long the
whole run will take.
"""
import os
import time

import keras

from ..files import write_atomically

PROGRESS_VARIABLE = "HAPPYSAD_PROGRESS_FILE"  # set by tasks.py (its own copy of the name)
REFRESH_SECONDS = 1.0
PACE_AFTER_STEPS = 5  # the first steps trace the graph: the pace is measured from here on


def _minutes(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class TrainingProgress(keras.callbacks.Callback):
    """A progress bar over the training steps of every epoch, with the time left in the run."""

    def __init__(self, progress_file=None):
        super().__init__()
        self.progress_file = progress_file or os.environ.get(PROGRESS_VARIABLE)
        self.bar = None

    def on_train_begin(self, logs=None):
        self.epochs, self.steps = self.params["epochs"], self.params["steps"] or 0
        self.first_epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.first_epoch is None:
            self.first_epoch = epoch  # not 0 when BackupAndRestore resumed the run
        self.epoch, self.epoch_started, self.written = epoch, time.perf_counter(), 0.0
        self.pace_from = None  # (step, time) from which this epoch's pace is measured
        if not self.progress_file:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.steps, desc=f"epoch {epoch + 1}/{self.epochs}", unit="step", leave=False)

    def on_train_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.update(1)
        now = time.perf_counter()
        if batch + 1 == min(PACE_AFTER_STEPS, self.steps):
            self.pace_from = (batch + 1, now)
        if self.progress_file and now - self.written >= REFRESH_SECONDS:
            self.written = now
            self._write(batch + 1, now)

    def _write(self, step, now):
        share = step / max(1, self.steps)
        bar = "#" * int(30 * share) + "." * (30 - int(30 * share))
        text = f"training: epoch {self.epoch + 1}/{self.epochs} [{bar}] {step}/{self.steps} steps"
        if self.pace_from and step > self.pace_from[0]:
            first_step, first_time = self.pace_from
            per_step = (now - first_time) / (step - first_step)  # this epoch's pace, validation not counted
            epoch_left = per_step * (self.steps - step)
            left = epoch_left + per_step * self.steps * (self.epochs - self.epoch - 1)
            text += f", epoch {_minutes(epoch_left)} left, run about {_minutes(left)} left"
        try:
            write_atomically(self.progress_file, text.encode())
        except OSError:
            self.progress_file = None  # nowhere to write: train on without a bar

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if epoch == self.first_epoch and epoch + 1 < self.epochs:
            took = time.perf_counter() - self.epoch_started
            left = took * (self.epochs - epoch - 1)
            finish = time.strftime("%H:%M", time.localtime(time.time() + left))
            others = "the last epoch" if epoch + 2 == self.epochs else f"the other {self.epochs - epoch - 1} epochs"
            print(f"epoch {epoch + 1} took {took / 60:.1f} min with validation: about {left / 60:.0f} min left "
                  f"for {others} (done near {finish})", flush=True)
