"""A face's answer: the network's eight FER+ emotion logits read as happy, sad or neither.

P(emotion) = softmax(logits) over the eight FER+ emotions (happysad.config.EMOTIONS); the
temperature that calibrates the three answers is folded into the logits when the model is saved
(happysad.train.export.fold_emotion_temperature). The three answers: P(happy) = P(happiness),
P(sad) = P(sadness), P(neither) = the other six summed (neutral, surprise, anger, disgust, fear,
contempt); they sum to 1, and the label is the most probable of the three. `p_sad_vs_happy` is
sigmoid((z_sad - z_happy) / T) with the binary answer's own temperature T (calibrated on happy and
sad faces): the Keras file's own output, the answer when the choice is only happy or sad.
"""
from dataclasses import dataclass

import numpy as np

from ..config import ANSWERS, EMOTIONS

HAPPY, SAD = EMOTIONS.index("happiness"), EMOTIONS.index("sadness")
NEITHER = [i for i in range(len(EMOTIONS)) if i not in (HAPPY, SAD)]


def emotion_probabilities(logits, temperature: float = 1.0) -> np.ndarray:
    """softmax(logits / T) over the last axis, (N, 8) -> (N, 8), in float64."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def three_way(probabilities) -> np.ndarray:
    """(N, 8) emotion probabilities -> (N, 3): P(happy), P(sad), P(neither)."""
    p = np.asarray(probabilities, dtype=np.float64)
    return np.stack([p[..., HAPPY], p[..., SAD], p[..., NEITHER].sum(axis=-1)], axis=-1)


def sad_vs_happy(logits, temperature: float = 1.0) -> np.ndarray:
    """P(sad | happy or sad) = sigmoid((z_sad - z_happy) / T), (N, 8) -> (N,)."""
    logits = np.asarray(logits, dtype=np.float64)
    return 1 / (1 + np.exp(-(logits[..., SAD] - logits[..., HAPPY]) / temperature))


@dataclass(frozen=True)
class Answer:
    """One face's answer: the three probabilities (they sum to 1), the binary P(sad | happy or sad),
    and the eight FER+ emotions' probabilities."""
    p_happy: float
    p_sad: float
    p_neither: float
    p_sad_vs_happy: float
    emotions: tuple = ()

    @property
    def probabilities(self) -> tuple:
        return self.p_happy, self.p_sad, self.p_neither

    @property
    def label(self) -> str:
        return ANSWERS[int(np.argmax(self.probabilities))]

    @property
    def confidence(self) -> float:
        return max(self.probabilities)

    def as_dict(self, with_emotions=False) -> dict:
        answer = {"p_happy": round(self.p_happy, 4), "p_sad": round(self.p_sad, 4),
                  "p_neither": round(self.p_neither, 4), "p_sad_vs_happy": round(self.p_sad_vs_happy, 4)}
        if with_emotions:
            answer.update({f"p_{emotion}": round(float(p), 4) for emotion, p in zip(EMOTIONS, self.emotions)})
        return answer


def answers_from_logits(logits, binary_temperature: float = 1.0) -> list:
    """An Answer for each row of (N, 8) emotion logits; `binary_temperature` is p_sad_vs_happy's."""
    logits = np.asarray(logits, dtype=np.float64).reshape(-1, len(EMOTIONS))
    emotions = emotion_probabilities(logits)
    three, binary = three_way(emotions), sad_vs_happy(logits, binary_temperature)
    return [Answer(*map(float, t), float(b), tuple(map(float, e))) for t, b, e in zip(three, binary, emotions)]
