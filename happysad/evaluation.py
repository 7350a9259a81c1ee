"""Scores for a model on a flow: accuracy, macro-F1, sad recall, calibration, confusion matrix."""
import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score, recall_score

from .config import CLASS_NAMES


def predict_flow(model, flow):
    """(true labels, P(sad)) for every image of an unshuffled flow, in order."""
    flow.reset()
    probabilities = model.predict(flow, verbose=0).ravel()
    return np.asarray(flow.classes), probabilities


def expected_calibration_error(labels, p_sad, bins=15) -> float:
    """Mean |accuracy - confidence| over equal-width bins of the predicted class's confidence."""
    labels, p_sad = np.asarray(labels), np.asarray(p_sad, dtype=float)
    predicted = (p_sad >= 0.5).astype(int)
    confidence = np.where(predicted == 1, p_sad, 1 - p_sad)
    correct = predicted == labels
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


def evaluate(labels, p_sad) -> dict:
    """The project's scores for labels (0 happy, 1 sad) against predicted P(sad)."""
    labels = np.asarray(labels)
    predicted = (np.asarray(p_sad) >= 0.5).astype(int)
    return {
        "images": int(len(labels)),
        "accuracy": float(accuracy_score(labels, predicted)),
        "macro_f1": float(f1_score(labels, predicted, average="macro", zero_division=0)),
        "sad_recall": float(recall_score(labels, predicted, pos_label=1, zero_division=0)),
        "ece": expected_calibration_error(labels, p_sad),
        "confusion_matrix": confusion_matrix(labels, predicted, labels=[0, 1]),
        "report": classification_report(labels, predicted, labels=[0, 1], target_names=list(CLASS_NAMES),
                                        digits=3, zero_division=0),
    }


def summary_line(name, scores) -> str:
    return (f"{name}: {scores['accuracy']:.1%} accuracy, macro-F1 {scores['macro_f1']:.3f}, "
            f"sad recall {scores['sad_recall']:.3f}, ECE {scores['ece']:.3f} ({scores['images']} images)")
