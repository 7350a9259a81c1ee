"""Temperature scaling: make the printed confidence mean what it says.

A network trained with cross-entropy is often over- or under-confident. One number, the
temperature T, fitted on the validation set, divides the model's logit: P(sad) =
sigmoid(logit / T). Folding T into the layer that computes the logit (kernel and bias divided by T)
keeps the saved model a plain Keras model: every caller gets calibrated output.
"""
import numpy as np
from scipy.optimize import minimize_scalar


def _logit(p):
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def fit_temperature(labels, p_sad) -> float:
    """The T in [0.05, 20] that minimises the validation log-loss of sigmoid(logit / T)."""
    logits, labels = _logit(p_sad), np.asarray(labels, dtype=np.float64)

    def log_loss(temperature):
        q = np.clip(1 / (1 + np.exp(-logits / temperature)), 1e-7, 1 - 1e-7)
        return -np.mean(labels * np.log(q) + (1 - labels) * np.log(1 - q))

    return float(minimize_scalar(log_loss, bounds=(0.05, 20), method="bounded").x)


def apply_temperature(p_sad, temperature) -> np.ndarray:
    return 1 / (1 + np.exp(-_logit(p_sad) / temperature))


def fold_temperature(model, temperature: float):
    """Divide the logit layer's weights by T, in place: the model now outputs calibrated P(sad)."""
    from .model import logit_layer

    layer = logit_layer(model)
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel / temperature, bias / temperature])
    return model
