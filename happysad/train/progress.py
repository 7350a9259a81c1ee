"""Training progress you can see: a bar with the time left, inside every epoch.

In Jupyter the bar is a widget (tqdm), redrawn in place, so a saved notebook keeps no trail of
updates. When `python tasks.py run` executes the notebook it sets HAPPYSAD_PROGRESS_FILE: the
state then goes to that file, which tasks.py draws on one line of the terminal, and nothing is
added to the notebook. Either way, a few dozen steps into training one printed line says how long
the whole run will take on this machine, evaluation included (and, when that is long, what the
quick setting would take), and after the first epoch a second line says it again, measured
over a whole epoch with its validation.
"""
import os
import time

import keras

from ..files import write_atomically

PROGRESS_VARIABLE = "HAPPYSAD_PROGRESS_FILE"  # set by tasks.py (its own copy of the name)
REFRESH_SECONDS = 1.0
PACE_AFTER_STEPS = 20  # the first steps trace the graph and warm the loader: the pace is measured from here on
ESTIMATE_AFTER_STEPS = 60  # the early estimate is printed once this many steps are timed (a minute or two in)
VALIDATION_SHARE = 0.08  # validation, timed in real runs: a fifth of the faces at about 2.5x training's pace
LONG_RUN_MINUTES = 90  # beyond this the early estimate names the quick setting
QUICK_EPOCHS = 10  # `python tasks.py run -p EPOCHS 10`


def _minutes(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


def _duration(seconds: float) -> str:
    """'7 min' or '2 h 05 min', for the printed estimates."""
    minutes = max(1, round(seconds / 60))
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class TrainingProgress(keras.callbacks.Callback):
    """A progress bar over the training steps of every epoch, with the time left in the run."""

    def __init__(self, progress_file=None, validation_faces=0, scored_faces=0):
        """`scored_faces`: faces the notebook predicts after training (validation and held-out),
        for the time left after the last epoch, at the pace validation (`validation_faces` a
        pass) is measured to go."""
        super().__init__()
        self.progress_file = progress_file or os.environ.get(PROGRESS_VARIABLE)
        self.validation_faces, self.scored_faces, self.faces_per_second = validation_faces, scored_faces, None
        self.bar = None
        self.estimated = False

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
        if not self.estimated and self.pace_from and batch + 1 == self.pace_from[0] + ESTIMATE_AFTER_STEPS:
            self.estimated = True
            self._print_estimate((now - self.pace_from[1]) / ESTIMATE_AFTER_STEPS)
        if self.progress_file and now - self.written >= REFRESH_SECONDS:
            self.written = now
            self._write(batch + 1, now)

    def after_training_seconds(self) -> float:
        """Scoring the validation and held-out faces after the last epoch, at validation's pace
        (before any validation ran: a guess of 200 faces/s), plus figures and saving."""
        return self.scored_faces / (self.faces_per_second or 200.0) + 30

    def _print_estimate(self, per_step):
        epoch = per_step * self.steps * (1 + VALIDATION_SHARE)
        left = epoch * (self.epochs - self.epoch) + self.after_training_seconds()
        text = (f"measured on this machine: {per_step:.2f} s a training step, so the run will take about "
                f"{_duration(left)} more, evaluation included")
        quick = epoch * QUICK_EPOCHS + self.after_training_seconds()
        if left / 60 > LONG_RUN_MINUTES and self.epochs > QUICK_EPOCHS:
            text += (f"; the quick setting (`python tasks.py run -p EPOCHS {QUICK_EPOCHS}`) would take about "
                     f"{_duration(quick)}")
        print(text, flush=True)

    def on_test_begin(self, logs=None):
        self.validation_started = time.perf_counter()

    def on_test_end(self, logs=None):
        took = time.perf_counter() - self.validation_started
        if self.validation_faces and took > 0:
            self.faces_per_second = self.validation_faces / took

    def _write(self, step, now):
        share = step / max(1, self.steps)
        bar = "#" * int(30 * share) + "." * (30 - int(30 * share))
        text = f"training: epoch {self.epoch + 1}/{self.epochs} [{bar}] {step}/{self.steps} steps"
        if self.pace_from and step > self.pace_from[0]:
            first_step, first_time = self.pace_from
            per_step = (now - first_time) / (step - first_step)  # this epoch's pace, validation not counted
            epoch_left = per_step * (self.steps - step)
            left = epoch_left + per_step * self.steps * (self.epochs - self.epoch - 1) * (1 + VALIDATION_SHARE)
            left += self.after_training_seconds()
            text += f", epoch {_minutes(epoch_left)} left, run about {_minutes(left)} left with evaluation"
        try:
            write_atomically(self.progress_file, text.encode())
        except OSError:
            self.progress_file = None  # nowhere to write: train on without a bar

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if epoch == self.first_epoch:
            took, rest = time.perf_counter() - self.epoch_started, self.epochs - epoch - 1
            evaluation = self.after_training_seconds()
            finish = time.strftime("%H:%M", time.localtime(time.time() + took * rest + evaluation))
            training = f"about {_duration(took * rest)} for the other {rest} epoch{'s' if rest != 1 else ''}, then " \
                if rest else ""
            print(f"epoch {epoch + 1} took {took / 60:.1f} min with validation: {training}about {_duration(evaluation)} "
                  f"to evaluate and save (done near {finish})", flush=True)
