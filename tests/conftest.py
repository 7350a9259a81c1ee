"""Shared fixtures: synthetic face-like images the tests draw themselves."""
import happysad.train  # noqa: F401  (first: TensorFlow imported without its start-up lines)

import functools  # noqa: E402
import io  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"


def face(label: str, seed: int = 0, size: int = 48, mode: str = "L") -> Image.Image:
    """A cartoon face: the mouth curves up for 'happy', down for 'sad'; noise makes each unique."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(90, 140, (size, size), dtype=np.uint8)
    image = Image.fromarray(pixels, "L")
    draw = ImageDraw.Draw(image)
    s = size / 48
    draw.ellipse([14 * s, 14 * s, 19 * s, 19 * s], fill=20)
    draw.ellipse([29 * s, 14 * s, 34 * s, 19 * s], fill=20)
    box = [12 * s, 24 * s, 36 * s, 40 * s] if label == "happy" else [12 * s, 32 * s, 36 * s, 48 * s]
    draw.arc(box, 0, 180, fill=250, width=max(2, int(3 * s))) if label == "happy" else \
        draw.arc(box, 180, 360, fill=250, width=max(2, int(3 * s)))
    return image.convert(mode)


def answer_of(p_sad: float, p_neither: float = 0.0):
    """An Answer (happysad.answer.emotions) with these P(sad) and P(neither), the rest happy."""
    from happysad.answer.emotions import Answer
    p_happy = 1 - p_sad - p_neither
    return Answer(p_happy, p_sad, p_neither, p_sad / (p_sad + p_happy) if p_sad + p_happy else 0.5)


def encoded(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def write_faces(folder: Path, label: str, count: int, start: int = 0, format: str = "PNG") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(start, start + count):
        path = folder / f"{label}_{seed}.{format.lower()}"
        path.write_bytes(encoded(face(label, seed), format))
        paths.append(path)
    return paths


def make_dataset(root: Path, per_class: int = 40, holdout_per_class: int = 8) -> Path:
    """A data folder laid out as the notebook expects: happy/, sad/, holdout/{happy,sad}/."""
    for index, label in enumerate(("happy", "sad")):
        write_faces(root / label, label, per_class, start=1000 * index)
        write_faces(root / "holdout" / label, label, holdout_per_class, start=1000 * index + 500)
    return root


@pytest.fixture
def dataset(tmp_path) -> Path:
    return make_dataset(tmp_path / "data")


def notebook_training(data_dir, **parameters) -> dict:
    """The notebook's own flows and compiled model on data_dir (its cells, with test-sized batches)."""
    from happysad.train.notebook import run_steps
    return run_steps("flows", "model", "compile", DATA_DIR=str(data_dir), **{"BATCH_SIZE": 16, **parameters})


@pytest.fixture(scope="session")
def make_model():
    """The notebook's CNN (its `model` cell) answering as the saved model does, P(sad) = sigmoid(z_sad - z_happy):
    make_model(channels) -> an untrained happy/sad model."""
    from happysad.train.export import happy_vs_sad
    from happysad.train.notebook import run_steps
    from happysad.data.votes import EMOTIONS
    build = run_steps("model")["make_model"]
    return lambda channels: happy_vs_sad(build((48, 48, channels), classes=len(EMOTIONS)), EMOTIONS)


@pytest.fixture(scope="session")
def untrained_model_path(tmp_path_factory, make_model) -> Path:
    """An untrained model saved as the notebook saves one: the Keras file and its LiteRT file."""
    from happysad.train.export import export_litert, save_model
    model = make_model(1)
    path = save_model(model, tmp_path_factory.mktemp("model") / "model.keras")
    export_litert(model, path)
    return path


needs_real_faces = pytest.mark.skipif(not SHARED_DATASETS.is_dir(), reason=f"no real faces at {SHARED_DATASETS}")


@functools.lru_cache(maxsize=None)
def portraits(count, side=200) -> tuple:
    """Real web photos cut down to one face each, with its surroundings (the face about half the
    picture wide), like a user's portrait shots: the first `count` with one clear face."""
    from benchmarks.portraits import portraits as cut
    return tuple(cut(sorted((SHARED_DATASETS / "happysad_web" / "sad").glob("*.jpg")), count, side))
