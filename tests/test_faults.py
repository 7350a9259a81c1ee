"""Faults: killed saves, killed training, full disks and read-only folders lose nothing."""
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from happysad import files
from happysad.train import export
from happysad.__main__ import main
from happysad.train.export import load_keras_model
from conftest import REPO, notebook_training, write_faces

ENV = dict(os.environ, PYTHONPATH=str(REPO))

SAVE_FOREVER = """
import sys, keras
from happysad.train.export import save_model
inputs = keras.Input((64, 64, 1))
hidden = keras.layers.Dense(2000)(keras.layers.Flatten()(inputs))  # 8M weights: a save takes a while
model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
while True:
    save_model(model, sys.argv[1])
"""

TRAIN = """
import json, os, signal, sys
from pathlib import Path
import keras
from happysad.train.export import happy_vs_sad, save_model
from happysad.train.notebook import run_steps
from happysad.data.votes import EMOTIONS

data, out, epochs, kill_after = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

class KillAfter(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

steps = run_steps("flows", "model", "compile", "callbacks", DATA_DIR=data, OUTPUT_DIR=str(out), BATCH_SIZE=16,
                  SEED=0, EPOCHS=epochs)
steps["callbacks"].append(KillAfter())
steps = run_steps("fit", namespace=steps)  # the notebook's fit cell: resumes from checkpoints/backup
save_model(happy_vs_sad(steps["model"], EMOTIONS), out / "model.keras")
print(json.dumps({"epochs_run": len(steps["history"]["loss"])}))
"""


MIRRORED = """
import json, sys
from pathlib import Path
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from happysad.train import fitting
from happysad.train.notebook import run_steps

strategy = fitting.distribution_strategy(["/cpu:0", "/cpu:1"])
fitting.distribution_strategy = lambda: strategy  # what the notebook's compile cell finds with two GPUs
steps = run_steps("flows", "model", "compile", "callbacks", DATA_DIR=sys.argv[1], OUTPUT_DIR=sys.argv[2],
                  BATCH_SIZE=16, SEED=0, EPOCHS=3)
steps = run_steps("fit", namespace=steps)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": steps["history"]["loss"],
                  "strategy": type(strategy).__name__}))
"""


@pytest.mark.slow
def test_mirrored_strategy_trains_over_two_devices(dataset, tmp_path):
    run = subprocess.run([sys.executable, "-c", MIRRORED, str(dataset), str(tmp_path)], env=ENV,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["strategy"] == "MirroredStrategy" and result["replicas"] == 2
    assert len(result["loss"]) == 3 and all(np.isfinite(result["loss"]))
    assert result["loss"][-1] < result["loss"][0]


@pytest.mark.slow
def test_killed_save_leaves_the_previous_model_intact(untrained_model_path, tmp_path):
    target = tmp_path / "happy_sad_model.keras"
    target.write_bytes(untrained_model_path.read_bytes())
    before = target.read_bytes()
    saver = subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(target)], env=ENV)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            partial = [p for p in tmp_path.glob("*.tmp.keras") if p.stat().st_size > 1_000_000]
            if partial:
                break
            time.sleep(0.002)
        assert partial, "the save never started"
    finally:
        saver.send_signal(signal.SIGKILL)
        saver.wait()
    assert target.read_bytes() == before  # killed mid-write: the old model is untouched
    assert load_keras_model(target).count_params() == keras.models.load_model(untrained_model_path).count_params()


@pytest.mark.slow
def test_killed_training_resumes_from_its_last_epoch(dataset, tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-c", TRAIN, str(dataset), str(out), "4"]
    killed = subprocess.run(command + ["2"], env=ENV, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL and not (out / "model.keras").exists()
    resumed = subprocess.run(command + ["0"], env=ENV, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert json.loads(resumed.stdout.strip().splitlines()[-1]) == {"epochs_run": 2}  # epochs 3 and 4 only
    assert load_keras_model(out / "model.keras").output_shape == (None, 1)


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     PermissionError(errno.EACCES, "Permission denied")])
def test_failed_save_raises_a_clear_error_and_keeps_the_old_model(failure, untrained_model_path, tmp_path,
                                                                  monkeypatch, make_model):
    target = tmp_path / "happy_sad_model.keras"
    target.write_bytes(untrained_model_path.read_bytes())
    before = target.read_bytes()

    def fail(*args, **kwargs):
        raise failure
    if isinstance(failure, PermissionError):  # a read-only folder refuses the temporary file
        monkeypatch.setattr(files.tempfile, "mkstemp", fail)
    else:  # a full disk fails while writing
        monkeypatch.setattr(keras.Model, "save", fail)
    with pytest.raises(export.SaveError, match=f"{target}: {failure.strerror}"):
        export.save_model(make_model(1), target)
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_import_onto_a_full_disk_stops_clearly_and_keeps_what_it_wrote(tmp_path, monkeypatch, capsys):
    write_faces(tmp_path / "src" / "happy", "happy", 6)
    real_write = Path.write_bytes
    writes = []

    def fill_up(self, data):
        if len(writes) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        writes.append(self)
        return real_write(self, data)
    monkeypatch.setattr(Path, "write_bytes", fill_up)
    status = main(["data", "import", str(tmp_path / "src"), "--data-dir", str(tmp_path / "data")])
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert status == 2 and len(errors) == 1 and "No space left on device" in errors[0]
    kept = sorted((tmp_path / "data").rglob("*.*"))
    assert len(kept) == 3 and not any(p.name.endswith(".part") for p in kept)
    from happysad.vision.images import read_image
    assert all(read_image(p).size == (48, 48) for p in kept)


@pytest.mark.slow
def test_same_seed_same_split_same_validation_metrics(dataset):
    def run():
        steps = notebook_training(dataset, SEED=11, EPOCHS=2)  # its first cell seeds everything
        train_flow, validation_flow = steps["train_flow"], steps["validation_flow"]
        history = steps["model"].fit(train_flow, validation_data=validation_flow, epochs=2, verbose=0)
        return validation_flow.filepaths, train_flow.filepaths, history.history
    first, second = run(), run()
    assert first[0] == second[0] and first[1] == second[1]
    np.testing.assert_array_equal(first[2]["val_loss"], second[2]["val_loss"])
    np.testing.assert_array_equal(first[2]["val_accuracy"], second[2]["val_accuracy"])
