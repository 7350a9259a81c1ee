"""Hostile input: every bad file is skipped or refused with its reason; every usable one is used."""
import json

import numpy as np
import pytest

from bad_inputs import make_corpus
from happysad.__main__ import main
from happysad.data.importer import import_sources
from happysad.data.datafolder import set_aside_unusable
from happysad.vision.images import ImageError, read_image
from happysad.train.notebook import run_steps
from conftest import encoded, face


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "source" / "happy"
    return folder, make_corpus(folder)


def test_import_skips_each_bad_file_with_its_reason_and_uses_the_rest(corpus, tmp_path):
    folder, expectations = corpus
    summary = import_sources([str(tmp_path / "source")], tmp_path / "data", holdout_fraction=0, progress=False)
    skipped = {name.removeprefix(str(folder) + "/"): reason for name, reason in summary.skipped}
    wanted_skips = {name: words for name, (kind, words) in expectations.items() if kind == "skip"}
    assert set(skipped) == set(wanted_skips)
    for name, words in wanted_skips.items():
        assert words in skipped[name], (name, skipped[name])
    usable = [name for name, (kind, _) in expectations.items() if kind == "use"]
    assert summary.imported["train", "happy"] == len(usable)


def test_imported_exif_photo_is_upright(tmp_path):
    folder = tmp_path / "source" / "sad"
    make_corpus(folder)
    import_sources([str(tmp_path / "source")], tmp_path / "data", holdout_fraction=0, progress=False)
    upright = face("sad", 11, size=96, mode="RGB")
    sizes = [read_image(p).size for p in (tmp_path / "data" / "sad").iterdir()]
    assert upright.size in sizes  # square, so check content too:
    best = min(np.abs(np.asarray(read_image(p).convert("L"), float) - np.asarray(upright.convert("L"), float)).mean()
               for p in (tmp_path / "data" / "sad").iterdir() if read_image(p).size == upright.size)
    assert best < 8  # JPEG noise only; a sideways copy differs by far more


def test_predict_reports_each_bad_file_in_one_line_and_classifies_the_rest(corpus, untrained_model_path, capsys):
    folder, expectations = corpus
    paths = [str(folder / name) for name in expectations] + [str(folder / "face.jpg")]
    status = main(["predict", "--json", "--model", str(untrained_model_path), "--", *paths])
    out, err = capsys.readouterr()
    assert status == 1
    bad = [name for name, (kind, _) in expectations.items() if kind == "skip"]
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == len(bad)
    for name in bad:
        assert any(line.startswith(f"error: {folder / name}: ") for line in err.splitlines()), name
    classified = {row["file"] for row in json.loads(out)}
    assert len(classified) == len(expectations) - len(bad)  # the folder face.jpg is walked into


@pytest.mark.slow
def test_bad_file_dropped_in_after_import_is_set_aside_before_training(dataset):
    (dataset / "happy" / "dropped.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken jpeg")
    (dataset / "sad" / "half.png").write_bytes(encoded(face("sad", 99))[:60])
    steps = run_steps("set_aside", "flows", "model", "compile", DATA_DIR=str(dataset), BATCH_SIZE=16)
    assert not (dataset / "happy" / "dropped.jpg").exists()
    assert (dataset / "rejected" / "happy" / "dropped.jpg").exists()  # moved, never deleted
    steps["model"].fit(steps["train_flow"], validation_data=steps["validation_flow"], epochs=1, verbose=0)
    assert set_aside_unusable(dataset) == []


def test_image_error_names_the_file(tmp_path):
    with pytest.raises(ImageError) as caught:
        read_image(tmp_path / "nope.png")
    assert caught.value.path == str(tmp_path / "nope.png") and str(caught.value).startswith(str(tmp_path))
