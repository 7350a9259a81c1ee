from happysad.__main__ import main
from happysad.prediction import Prediction, classify_images, load_classifier
from conftest import face


def test_prediction_text():
    assert str(Prediction("x.jpg", 0.87)) == "sad, 87% confident"
    assert (Prediction("x.jpg", 0.1).label, round(Prediction("x.jpg", 0.1).confidence, 2)) == ("happy", 0.9)


def test_classify_images_gives_label_and_confidence(untrained_model_path, tmp_path):
    paths = []
    for index, mode in enumerate(("L", "RGB", "RGBA")):
        paths.append(tmp_path / f"face{index}.png")
        face("happy", index, mode=mode).save(paths[-1])
    predictions, errors = classify_images(load_classifier(untrained_model_path), paths)
    assert errors == [] and [p.path for p in predictions] == [str(p) for p in paths]
    assert all(p.label in ("happy", "sad") and 0.5 <= p.confidence <= 1 for p in predictions)


def test_cli_reports_bad_files_and_still_classifies_the_rest(untrained_model_path, tmp_path, capsys):
    good = tmp_path / "good.png"
    face("sad", 1).save(good)
    (tmp_path / "text.jpg").write_text("not an image")
    status = main(["predict", str(tmp_path / "missing.jpg"), str(good), str(tmp_path / "text.jpg"),
                   "--model", str(untrained_model_path)])
    out, err = capsys.readouterr()
    assert status == 1
    assert out.startswith(f"{good}: ") and "% confident" in out
    assert f"missing.jpg: no such file" in err and "text.jpg: not an image" in err
    assert len(err.strip().splitlines()) == 2


def test_cli_missing_model_is_one_line(tmp_path, capsys):
    status = main(["predict", "x.jpg", "--model", str(tmp_path / "nope.keras")])
    assert status == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_non_keras_model_file_is_one_line(tmp_path, capsys):
    (tmp_path / "bad.keras").write_text("not a model")
    assert main(["predict", "x.jpg", "--model", str(tmp_path / "bad.keras")]) == 2
    assert "not a usable Keras model" in capsys.readouterr().err
