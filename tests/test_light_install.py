"""`pip install .` alone: the answering side in a fresh virtual environment, without TensorFlow,
answering a photo and a clip with every network connection refused (nothing downloaded at first use)."""
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from conftest import REPO, needs_real_faces, portraits
from test_video import placed, write_clip

# What a wheel is built from: the package, its metadata and the shipped LiteRT file (not the
# Keras file, which only training and the notebook need).
SOURCES = ["pyproject.toml", "README.md", "happysad", "happy_sad_model.tflite", *(
    path.name for path in REPO.glob("requirements*.txt"))]
NO_NETWORK = """import socket
def refuse(*args, **kwargs):
    raise OSError("network refused by the light-install test")
socket.socket.connect = socket.socket.connect_ex = socket.create_connection = refuse
"""


def installed_mb(environment: Path) -> float:
    return sum(f.stat().st_size for f in environment.rglob("*") if f.is_file() and not f.is_symlink()) / 2 ** 20


@pytest.mark.slow
@needs_real_faces
def test_the_light_install_answers_photos_and_video_offline_without_tensorflow(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, source / name)
    for cache in source.rglob("__pycache__"):
        shutil.rmtree(cache)
    light = tmp_path / "light"
    venv.EnvBuilder(with_pip=True).create(light)
    python = light / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(source)], check=True, cwd=tmp_path)
    print(f"\nlight install: {installed_mb(light):.0f} MB in {light}; "
          f"the full environment (.venv): {installed_mb(REPO / '.venv'):.0f} MB")

    photo = tmp_path / "photo.jpg"
    portraits(1)[0].save(photo)
    clip = write_clip(tmp_path / "clip.mp4", [placed((portraits(1)[0], 100, 60, 160))] * 8)
    (tmp_path / "offline").mkdir()
    (tmp_path / "offline" / "sitecustomize.py").write_text(NO_NETWORK)
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "offline")}
    environment.pop("PYTHONHOME", None)
    run = lambda *arguments: subprocess.run(  # noqa: E731
        [str(python), "-c", "import runpy, sys; sys.argv = ['happysad', *sys.argv[1:]]; "
         "code = 0\ntry:\n    runpy.run_module('happysad', run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
         "print('tensorflow imported:', 'tensorflow' in sys.modules, file=sys.stderr); sys.exit(code)", *arguments],
        cwd=tmp_path / "offline", env=environment, capture_output=True, text=True, timeout=300)

    answered = run("predict", str(photo))
    assert answered.returncode == 0, answered.stderr
    assert "%" in answered.stdout and any(label in answered.stdout for label in ("happy", "sad")), answered.stdout
    assert "share/happysad" not in answered.stderr and "tensorflow imported: False" in answered.stderr
    followed = run("video", str(clip), "--csv", str(tmp_path / "faces.csv"))
    assert followed.returncode == 0, followed.stderr
    assert "tensorflow imported: False" in followed.stderr
    assert len((tmp_path / "faces.csv").read_text().splitlines()) > 1  # a row per face per frame
    where = subprocess.run([str(python), "-c", "from happysad.config import SHIPPED_MODEL; print(SHIPPED_MODEL)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(light) and where.endswith(".tflite")  # the installed file, not the clone's
    train = subprocess.run([str(python), "-c", "import happysad.train"], cwd=tmp_path, capture_output=True, text=True)
    assert train.returncode != 0 and "tensorflow" in train.stderr.lower()  # the training side needs the [train] extra
