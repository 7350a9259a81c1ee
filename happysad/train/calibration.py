"""Temperature scaling: make the printed confidence mean what it says.

A network trained with cross-entropy is often over- or under-confident. One number, the
temperature T, fitted on the validation set, divides the model's logit: P(sad) =
sigmoid(logit / T). happysad.train.export folds T into the layer that computes the logit, so the
saved model stays a plain Keras model and every caller gets calibrated output.

The three answers (happy, sad, neither: happysad.answer.emotions) get a temperature of their own,
fitted the same way on validation faces of every emotion against the FER+ plurality, and folded
into the eight emotion logits (happysad.train.export.fold_emotion_temperature).
"""
import numpy as np
from scipy.optimize import minimize_scalar

EPSILON = 1e-7


def logit(p) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), EPSILON, 1 - EPSILON)
    return np.log(p / (1 - p))


def log_loss(labels, p_sad) -> float:
    """Mean binary cross-entropy of P(sad) against labels (0 happy, 1 sad)."""
    p = np.clip(np.asarray(p_sad, dtype=np.float64), EPSILON, 1 - EPSILON)
    labels = np.asarray(labels, dtype=np.float64)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def apply_temperature(p_sad, temperature) -> np.ndarray:
    return 1 / (1 + np.exp(-logit(p_sad) / temperature))


def fit_temperature(labels, p_sad) -> float:
    """The T in [0.05, 20] that minimises the validation log-loss of sigmoid(logit / T)."""
    return float(minimize_scalar(lambda t: log_loss(labels, apply_temperature(p_sad, t)), bounds=(0.05, 20),
                                 method="bounded").x)


def three_way_log_loss(labels, logits, temperature) -> float:
    """Mean cross-entropy of the three answers read from softmax(logits / T) against labels (0 happy,
    1 sad, 2 neither)."""
    from ..answer.emotions import emotion_probabilities, three_way

    p = three_way(emotion_probabilities(logits, temperature))
    return float(-np.mean(np.log(np.clip(p[np.arange(len(labels)), np.asarray(labels)], EPSILON, 1))))


def fit_three_way_temperature(labels, logits) -> float:
    """The T in [0.05, 20] that minimises the validation log-loss of the three answers."""
    return float(minimize_scalar(lambda t: three_way_log_loss(labels, logits, t), bounds=(0.05, 20),
                                 method="bounded").x)
