import shutil
import zipfile
from pathlib import Path

from happysad.data.importer import import_sources
from conftest import encoded, face, write_faces


def stored(data_dir: Path) -> dict:
    """{'happy': n, 'sad': n, 'holdout/happy': n, 'holdout/sad': n} of imported files."""
    folders = {"happy": data_dir / "happy", "sad": data_dir / "sad",
               "holdout/happy": data_dir / "holdout" / "happy", "holdout/sad": data_dir / "holdout" / "sad"}
    return {name: len(list(f.glob("*"))) if f.is_dir() else 0 for name, f in folders.items()}


def fer_layout(root: Path, train=10, test=4) -> Path:
    """FER2013-in-folders: train|test/<emotion>/, with another emotion beside happy and sad."""
    for index, label in enumerate(("happy", "sad")):
        write_faces(root / "train" / label, label, train, start=100 * index)
        write_faces(root / "test" / label, label, test, start=100 * index + 50)
    write_faces(root / "train" / "angry", "sad", 3, start=900)
    write_faces(root / "test" / "angry", "sad", 2, start=950)
    return root


def import_quietly(sources, data_dir, **options):
    return import_sources([str(s) for s in sources], data_dir, progress=False, **options)


def test_test_split_goes_to_holdout_other_emotions_included(tmp_path):
    summary = import_quietly([fer_layout(tmp_path / "fer")], tmp_path / "data")
    assert stored(tmp_path / "data") == {"happy": 10, "sad": 10, "holdout/happy": 4, "holdout/sad": 4}
    assert summary.found == 33
    # another emotion's training faces are kept for training, its test faces held out (scored three ways)
    assert len(list((tmp_path / "data" / "other_emotions" / "angry").iterdir())) == 3
    assert summary.imported["train", "angry"] == 3 and summary.imported["holdout", "angry"] == 2
    assert len(list((tmp_path / "data" / "holdout" / "angry").iterdir())) == 2


def test_source_without_test_split_holds_out_a_deterministic_share(tmp_path):
    for label in ("happy", "sad"):
        write_faces(tmp_path / "web" / label, label, 100, format="JPEG", start=0 if label == "happy" else 500)
    import_quietly([tmp_path / "web"], tmp_path / "a", holdout_fraction=0.15)
    import_quietly([tmp_path / "web"], tmp_path / "b", holdout_fraction=0.15)
    counts = stored(tmp_path / "a")
    held_out = counts["holdout/happy"] + counts["holdout/sad"]
    assert 15 <= held_out <= 50  # about 15% of 200
    assert sorted(p.name for p in (tmp_path / "a").rglob("*.*")) == sorted(p.name for p in (tmp_path / "b").rglob("*.*"))


def test_exact_duplicates_are_kept_once(tmp_path):
    source = tmp_path / "src"
    write_faces(source / "happy", "happy", 3)
    shutil.copy(source / "happy" / "happy_0.png", source / "happy" / "copy.png")
    face("happy", 1).save(source / "happy" / "same_pixels.bmp")  # re-encoded: same content
    summary = import_quietly([source], tmp_path / "data", holdout_fraction=0)
    assert stored(tmp_path / "data")["happy"] == 3
    assert summary.duplicates == 2


def test_content_under_both_labels_is_dropped(tmp_path):
    source = tmp_path / "src"
    write_faces(source / "happy", "happy", 3)
    write_faces(source / "sad", "sad", 3, start=50)
    shutil.copy(source / "happy" / "happy_0.png", source / "sad" / "mislabelled.png")
    summary = import_quietly([source], tmp_path / "data", holdout_fraction=0)
    assert stored(tmp_path / "data")["happy"] == 2 and stored(tmp_path / "data")["sad"] == 3
    assert summary.label_conflicts == 2


def test_held_out_copy_of_a_training_image_is_dropped(tmp_path):
    fer = fer_layout(tmp_path / "fer", train=5, test=3)
    shutil.copy(fer / "train" / "sad" / "sad_100.png", fer / "test" / "sad" / "leak.png")
    summary = import_quietly([fer], tmp_path / "data")
    assert stored(tmp_path / "data")["holdout/sad"] == 3 and stored(tmp_path / "data")["sad"] == 5
    assert summary.holdout_leaks == 1


def test_unreadable_and_non_image_files_are_listed_and_skipped(tmp_path):
    source = tmp_path / "src"
    write_faces(source / "happy", "happy", 2)
    (source / "happy" / "notes.txt").write_text("not an image")
    (source / "happy" / "page.jpg").write_text("<html>404</html>")
    (source / "happy" / "empty.png").write_bytes(b"")
    jpeg = encoded(face("happy", 7, size=120, mode="RGB"), "JPEG")
    (source / "happy" / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    summary = import_quietly([source], tmp_path / "data", holdout_fraction=0)
    assert stored(tmp_path / "data")["happy"] == 2
    reasons = {Path(name).name: reason for name, reason in summary.skipped}
    assert set(reasons) == {"notes.txt", "page.jpg", "empty.png", "cut.jpg"}
    assert reasons["empty.png"] == "empty file" and "truncated" in reasons["cut.jpg"]
    assert "skipped" in summary.report() and "cut.jpg" in summary.report()


def test_zip_with_wrapping_folders(tmp_path):
    fer = fer_layout(tmp_path / "fer", train=4, test=2)
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in fer.rglob("*.png"):
            zipped.write(path, Path("archive", "FER-2013", path.relative_to(fer)).as_posix())
    import_quietly([archive], tmp_path / "data")
    assert stored(tmp_path / "data") == {"happy": 4, "sad": 4, "holdout/happy": 2, "holdout/sad": 2}


def test_nested_folders_and_mixed_case(tmp_path):
    source = tmp_path / "src"
    write_faces(source / "deep" / "er" / "Happy", "happy", 2)
    write_faces(source / "deep" / "SAD" / "more", "sad", 2, start=10)
    import_quietly([source], tmp_path / "data", holdout_fraction=0)
    assert stored(tmp_path / "data")["happy"] == 2 and stored(tmp_path / "data")["sad"] == 2


def test_second_import_adds_nothing(tmp_path):
    fer = fer_layout(tmp_path / "fer")
    import_quietly([fer], tmp_path / "data")
    before = sorted((tmp_path / "data").rglob("*"))
    summary = import_quietly([fer], tmp_path / "data")
    assert sorted((tmp_path / "data").rglob("*")) == before
    assert sum(summary.imported.values()) == 0 and summary.already_present == 33  # the held-out angry faces too


def test_missing_source_is_reported_not_fatal(tmp_path):
    write_faces(tmp_path / "src" / "happy", "happy", 1)
    summary = import_quietly([tmp_path / "nowhere", tmp_path / "src"], tmp_path / "data", holdout_fraction=0)
    assert stored(tmp_path / "data")["happy"] == 1
    assert summary.skipped == [(str(tmp_path / "nowhere"), "no such file or folder")]


def test_imported_images_are_upright_and_small(tmp_path):
    source = tmp_path / "src" / "happy"
    source.mkdir(parents=True)
    face("happy", 3, size=1200, mode="RGBA").save(source / "big.png")
    import_quietly([tmp_path / "src"], tmp_path / "data", holdout_fraction=0)
    from PIL import Image
    (saved,) = (tmp_path / "data" / "happy").iterdir()
    with Image.open(saved) as image:
        assert image.mode == "L" and max(image.size) == 512  # a gray face, however saved, is stored gray


class BoxesAt:
    """A stand-in face detector that finds faces where it is told to."""

    def __init__(self, *boxes):
        self.boxes = list(boxes)

    def detect(self, image):
        return self.boxes


def test_photos_are_cut_into_face_crops_and_held_out_photos_kept_whole(tmp_path):
    from happysad.vision.boxes import Box
    from PIL import Image
    for label in ("happy", "sad"):
        folder = tmp_path / "web" / label
        folder.mkdir(parents=True)
        for seed in range(20):
            photo = Image.new("RGB", (400, 300), (seed * 10, 90, 90))
            photo.paste(face(label, seed, 96, "RGB"), (40, 40))
            photo.paste(face(label, seed + 50, 90, "RGB"), (250, 60))
            photo.save(folder / f"{seed}.jpg", quality=95)
    detector = BoxesAt(Box(40, 40, 96, 1.0), Box(250, 60, 90, 1.0), Box(0, 0, 30, 1.0))  # the small one is no subject
    summary = import_sources([str(tmp_path / "web")], tmp_path / "data", progress=False, detector=detector)
    counts = stored(tmp_path / "data")
    assert summary.photos_with_faces == 40
    assert sum(counts.values()) == 80  # two main faces a photo
    crops = list((tmp_path / "data" / "happy").iterdir())
    assert all(Image.open(p).size in ((96, 96), (90, 90)) for p in crops)
    photos = list((tmp_path / "data" / "holdout" / "photos").rglob("*.jpg"))
    assert len(photos) * 2 == counts["holdout/happy"] + counts["holdout/sad"]
    assert all(Image.open(p).size == (400, 300) for p in photos)


def test_photos_without_a_face_are_kept_whole_or_dropped(tmp_path):
    (tmp_path / "web" / "happy").mkdir(parents=True)
    for seed in range(4):
        face("happy", seed, 300, "RGB").save(tmp_path / "web" / "happy" / f"{seed}.jpg")
    kept = import_sources([str(tmp_path / "web")], tmp_path / "a", progress=False, detector=BoxesAt(),
                          holdout_fraction=0)
    dropped = import_sources([str(tmp_path / "web")], tmp_path / "b", progress=False, detector=BoxesAt(),
                             holdout_fraction=0, keep_faceless=False)
    assert kept.photos_without_faces == dropped.photos_without_faces == 4
    assert stored(tmp_path / "a")["happy"] == 4 and stored(tmp_path / "b")["happy"] == 0


def test_second_import_of_photos_reports_nothing_new(tmp_path):
    from happysad.vision.boxes import Box
    from PIL import Image
    for label in ("happy", "sad"):
        (tmp_path / "web" / label).mkdir(parents=True)
        for seed in range(3):
            photo = Image.new("RGB", (300, 200), (seed * 40, 90, 90))
            photo.paste(face(label, seed, 96, "RGB"), (40, 40))
            photo.save(tmp_path / "web" / label / f"{seed}.jpg", quality=95)
    conflict = Image.new("RGB", (300, 200), "white")  # the same picture under both labels
    for label in ("happy", "sad"):
        conflict.save(tmp_path / "web" / label / "both.jpg", quality=95)
    detector = BoxesAt(Box(40, 40, 96, 1.0))
    first = import_sources([str(tmp_path / "web")], tmp_path / "data", progress=False, detector=detector)
    again = import_sources([str(tmp_path / "web")], tmp_path / "data", progress=False, detector=detector)
    assert first.photos_with_faces == 6 and first.label_conflicts == 2
    assert again.photos_with_faces == again.photos_without_faces == 0 and sum(again.imported.values()) == 0


def test_import_progress_gives_no_time_left_estimate(tmp_path, capsys):
    """A photo costs a hundred times a 48x48 face: the first files' pace would promise hours."""
    write_faces(tmp_path / "src" / "happy", "happy", 3)
    import_sources([str(tmp_path / "src")], tmp_path / "data", progress=True)
    bar = capsys.readouterr().err
    assert "Reading images" in bar and "<" not in bar  # tqdm's elapsed<remaining
