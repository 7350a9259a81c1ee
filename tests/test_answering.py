"""The answering side: no TensorFlow, a LiteRT file that answers as the Keras file does, and never
one made from another version of it."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, SHARED_DATASETS, face
from happysad.__main__ import main
from happysad.answer.classifier import KerasClassifier, LiteRTClassifier, fast_file, load_classifier
from happysad.vision.litert import read_metadata, with_metadata
from happysad.vision.images import read_image, to_model_input
from happysad.config import SHIPPED_MODEL

# Runs `python -m happysad ARGS` in this process's interpreter and says whether TensorFlow (or
# Keras) got imported on the way; imports every module of the answering side too.
NO_TENSORFLOW = """
import pkgutil, runpy, sys
import happysad.answer
for module in pkgutil.iter_modules(happysad.answer.__path__):
    __import__(f"happysad.answer.{module.name}")
sys.argv = ["happysad", *sys.argv[1:]]
try:
    runpy.run_module("happysad", run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code
print("imported:", sorted(m for m in ("tensorflow", "keras") if m in sys.modules), "exit:", code, file=sys.stderr)
"""


def run_without_tensorflow(*arguments, cwd):
    done = subprocess.run([sys.executable, "-c", NO_TENSORFLOW, *map(str, arguments)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    return done.stdout, done.stderr


def test_predict_answers_without_importing_tensorflow(tmp_path):
    face("happy", 1, 160, "RGB").save(tmp_path / "one.jpg")
    out, err = run_without_tensorflow("predict", "one.jpg", "--json", "--annotate", "drawn", cwd=tmp_path)
    assert "imported: [] exit: 0" in err, err
    assert '"label"' in out and (tmp_path / "drawn" / "one.annotated.jpg").is_file()


def test_errors_that_need_no_model_come_without_tensorflow(tmp_path):
    (tmp_path / "empty").mkdir()
    for arguments in (["predict", "missing.jpg"], ["predict", "empty"], ["--help"]):
        out, err = run_without_tensorflow(*arguments, cwd=tmp_path)
        assert "imported: []" in err, (arguments, err)


def test_the_shipped_model_answers_through_its_litert_file():
    classifier = load_classifier(SHIPPED_MODEL)
    assert isinstance(classifier, LiteRTClassifier) and classifier.path == fast_file(SHIPPED_MODEL)
    assert read_metadata(fast_file(SHIPPED_MODEL).read_bytes())["keras_file"] == SHIPPED_MODEL.name


def held_out_faces(limit=None, folders=("happy", "sad")):
    folders = [SHARED_DATASETS / "fer2013" / "test" / label for label in folders]
    if not all(folder.is_dir() for folder in folders):
        pytest.skip(f"no FER2013 test faces in {SHARED_DATASETS}")
    return [path for folder in folders for path in sorted(folder.glob("*.png"))[:limit]]


@pytest.mark.slow
def test_the_litert_file_answers_as_the_keras_file_on_every_held_out_face():
    """Both the shipped files, on all of FER2013's happy and sad test faces: P(sad) within 0.005."""
    faces = np.stack([to_model_input(read_image(path), 48) for path in held_out_faces()])
    fast, keras_file = load_classifier(SHIPPED_MODEL), KerasClassifier(SHIPPED_MODEL)
    difference = np.concatenate([np.abs(fast(faces[i:i + 256], copies=10) - keras_file.model(faces[i:i + 256])).ravel()
                                 for i in range(0, len(faces), 256)])
    assert len(difference) > 3000 and difference.max() <= 0.005, difference.max()


@pytest.mark.slow
def test_the_litert_file_gives_the_keras_networks_eight_emotion_logits_on_held_out_faces():
    """The shipped LiteRT file's eight logits against the Keras file's inner network, one pass, on
    held-out faces of every FER2013 folder: within 1e-4 each."""
    folders = ("happy", "sad", "angry", "disgusted", "fearful", "neutral", "surprised")
    faces = np.stack([to_model_input(read_image(path), 48) for path in held_out_faces(150, folders)])
    fast, keras_file = load_classifier(SHIPPED_MODEL), KerasClassifier(SHIPPED_MODEL)
    assert fast.temperature == pytest.approx(keras_file.temperature, rel=1e-6)
    ours, theirs = fast.emotion_logits(faces, copies=1), keras_file.emotion_logits(faces, copies=1)
    assert ours.shape == (len(faces), 8) and np.abs(ours - theirs).max() <= 1e-4, np.abs(ours - theirs).max()


@pytest.mark.slow
def test_the_litert_file_answers_as_the_keras_file_for_any_batch_size(untrained_model_path):
    images = np.random.default_rng(0).random((9, 48, 48, 1), dtype=np.float32)
    fast, keras_file = load_classifier(untrained_model_path), KerasClassifier(untrained_model_path)
    assert isinstance(fast, LiteRTClassifier)
    for size in (1, 9, 2):  # resized, resized back
        np.testing.assert_allclose(fast(images[:size]), keras_file(images[:size]), atol=1e-5)


@pytest.mark.slow
def test_the_litert_file_runs_the_network_once_and_the_copies_are_made_where_it_answers(make_model, tmp_path):
    """A model saved as the notebook saves it, averaging ten copies inside: its LiteRT file runs the
    network once; asked for ten copies, the answering side gives the Keras file's own answer, asked
    for one, the network's once."""
    from happysad.train.export import export_litert, save_model, with_averaged_copies

    model = with_averaged_copies(make_model(1))
    path = save_model(model, tmp_path / "averaged.keras")
    export_litert(model, path)
    fast, keras_file = load_classifier(path), KerasClassifier(path)
    metadata = read_metadata(fast_file(path).read_bytes())
    assert isinstance(fast, LiteRTClassifier) and metadata["answer"] == "emotion_logits" and len(metadata["emotions"]) == 8
    images = np.random.default_rng(1).random((5, 48, 48, 1), dtype=np.float32)
    np.testing.assert_allclose(fast(images, copies=10), np.asarray(model(images)), atol=1e-5)
    np.testing.assert_allclose(fast(images), np.asarray(model(images)), atol=1e-5)  # ten: the default
    logits = np.asarray(keras_file.network(images))
    once = 1 / (1 + np.exp(-(logits[:, 3] - logits[:, 1]) / keras_file.temperature))  # sadness - happiness
    np.testing.assert_allclose(fast(images, copies=1).ravel(), once, atol=1e-5)
    answers = fast.answer(images, copies=1)
    assert all(abs(sum(a.probabilities) - 1) < 1e-9 and a.label in ("happy", "sad", "neither") for a in answers)
    np.testing.assert_allclose(keras_file(images, copies=1), fast(images, copies=1), atol=1e-5)
    with pytest.raises(ValueError, match="copies"):
        fast(images, copies=3)


@pytest.mark.slow
def test_a_fast_file_of_an_older_happysad_with_the_copies_inside_is_not_used(make_model, tmp_path, capsys):
    from happysad.answer.classifier import file_sha256
    from happysad.train.export import save_model

    model = make_model(1)
    path = save_model(model, tmp_path / "old.keras")
    model.export(str(tmp_path / "plain.tflite"), format="litert", verbose=False)
    fast_file(path).write_bytes(with_metadata((tmp_path / "plain.tflite").read_bytes(),
                                              {"keras_sha256": file_sha256(path), "keras_file": path.name}))
    assert isinstance(load_classifier(path), KerasClassifier)
    assert "older happysad" in capsys.readouterr().err
    # One of the last happysad, with the one logit: the same one-line note, the Keras file answers.
    fast_file(path).write_bytes(with_metadata((tmp_path / "plain.tflite").read_bytes(),
                                              {"keras_sha256": file_sha256(path), "keras_file": path.name, "answer": "logit"}))
    assert isinstance(load_classifier(path), KerasClassifier)
    err = capsys.readouterr().err
    assert "older happysad" in err and err.count("\n") == 1
    from happysad.answer.classifier import ModelError
    with pytest.raises(ModelError, match="not a LiteRT file of this happysad"):
        load_classifier(fast_file(path))  # named directly, it is refused


def test_predict_takes_the_number_of_copies(tmp_path, capsys):
    face("happy", 1, 160, "RGB").save(tmp_path / "one.jpg")
    answers = {}
    for copies in ("1", "10"):  # the shipped model, read only: a trained network answers copies differently
        assert main(["predict", str(tmp_path / "one.jpg"), "--json", "--copies", copies]) == 0
        answers[copies] = json.loads(capsys.readouterr().out)[0]["p_sad_vs_happy"]
    assert answers["1"] != answers["10"]
    with pytest.raises(SystemExit):
        main(["predict", str(tmp_path / "one.jpg"), "--copies", "3"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.slow
def test_a_fast_file_made_from_another_version_is_never_used(untrained_model_path, make_model, tmp_path, capsys):
    from happysad.train.export import save_model

    model_path = tmp_path / "model.keras"
    save_model(make_model(1), model_path)  # another network, under the old name
    shutil.copy(fast_file(untrained_model_path), fast_file(model_path))  # the old fast file beside it
    classifier = load_classifier(model_path)
    assert isinstance(classifier, KerasClassifier)
    err = capsys.readouterr().err
    assert "was not made from this version" in err and "python -m happysad export" in err
    fast_file(model_path).write_bytes(b"not a LiteRT file")
    assert isinstance(load_classifier(model_path, note=False), KerasClassifier)


@pytest.mark.slow
def test_export_command_makes_the_fast_file_the_next_answer_uses(make_model, tmp_path, capsys):
    from happysad.train.export import save_model

    model_path = save_model(make_model(1), tmp_path / "mine.keras")
    assert main(["export", str(model_path)]) == 0
    assert fast_file(model_path).is_file() and str(fast_file(model_path)) in capsys.readouterr().out
    assert isinstance(load_classifier(model_path), LiteRTClassifier)
    assert main(["export", str(tmp_path / "missing.keras")]) == 2
    assert "no such model file" in capsys.readouterr().err


def test_the_shipped_files_are_not_touched_by_the_suite():
    """Every test writes its own models into tmp: the shipped pair still belongs together."""
    metadata = read_metadata(fast_file(SHIPPED_MODEL).read_bytes())
    from happysad.answer.classifier import file_sha256
    assert metadata["keras_sha256"] == file_sha256(SHIPPED_MODEL) and SHIPPED_MODEL.parent == REPO
