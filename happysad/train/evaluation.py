"""Scores for a model on a flow: accuracy, macro-F1, recalls, calibration, confident mistakes, confusion matrix.

Two yardsticks: FER2013's original labels (one annotator each, the folders), and the faces
people agree on (FER+: the strict plurality of 10 annotators is happiness or sadness; see
happysad.data.votes), scored against that plurality.
"""
import numpy as np
from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix, f1_score, precision_score,
                             recall_score)

from ..config import ANSWERS, CLASS_NAMES


def predict_flow(model, flow):
    """(true labels, P(sad)) for every image of an unshuffled flow, in order."""
    flow.reset()
    probabilities = model.predict(flow, verbose=0).ravel()
    return np.asarray(flow.classes), probabilities


def expected_calibration_error(labels, p_sad, bins=15) -> float:
    """Mean |accuracy - confidence| over equal-width bins of the predicted class's confidence."""
    labels, p_sad = np.asarray(labels), np.asarray(p_sad, dtype=float)
    predicted = (p_sad >= 0.5).astype(int)
    return calibration_error(np.where(predicted == 1, p_sad, 1 - p_sad), predicted == labels, bins)


def calibration_error(confidence, correct, bins=15) -> float:
    """Mean |accuracy - confidence| over equal-width bins of the confidence of each answer given."""
    confidence, correct = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=bool)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


CONFIDENT = 0.9  # a mistake made with at least this confidence is a confident mistake


def confident_mistakes(labels, p_sad, confident=CONFIDENT) -> np.ndarray:
    """Indices of the wrong answers given with at least `confident` confidence, most confident first."""
    labels, p_sad = np.asarray(labels), np.asarray(p_sad, dtype=float)
    confidence = np.maximum(p_sad, 1 - p_sad)
    wrong = np.flatnonzero(((p_sad >= 0.5).astype(int) != labels) & (confidence >= confident))
    return wrong[np.argsort(-confidence[wrong], kind="stable")]


def evaluate(labels, p_sad) -> dict:
    """The project's scores for labels (0 happy, 1 sad) against predicted P(sad)."""
    labels = np.asarray(labels)
    predicted = (np.asarray(p_sad) >= 0.5).astype(int)
    return {
        "images": int(len(labels)),
        "accuracy": float(accuracy_score(labels, predicted)),
        "macro_f1": float(f1_score(labels, predicted, average="macro", zero_division=0)),
        "happy_recall": float(recall_score(labels, predicted, pos_label=0, zero_division=0)),
        "sad_recall": float(recall_score(labels, predicted, pos_label=1, zero_division=0)),
        "confident_mistakes": int(len(confident_mistakes(labels, p_sad))),
        "ece": expected_calibration_error(labels, p_sad),
        "confusion_matrix": confusion_matrix(labels, predicted, labels=[0, 1]),
        "report": classification_report(labels, predicted, labels=[0, 1], target_names=list(CLASS_NAMES),
                                        digits=3, zero_division=0),
    }


def evaluate_both(labels, agreed, p_sad) -> dict:
    """{"original labels": scores, "agreed faces": scores or None when no face has agreed votes}.

    `agreed` holds, per image, 0 (people say happy), 1 (sad) or -1 (no agreement, or no votes).
    """
    agreed, p_sad = np.asarray(agreed), np.asarray(p_sad)
    on_agreed = agreed >= 0
    return {"original labels": evaluate(labels, p_sad),
            "agreed faces": evaluate(agreed[on_agreed], p_sad[on_agreed]) if on_agreed.any() else None}


def evaluate_three_way(labels, probabilities, predicted=None) -> dict:
    """Scores of the three answers (0 happy, 1 sad, 2 neither; happysad.config.ANSWERS) against
    labels of the same kind: accuracy, recall, precision and F1 per answer, the ECE of the answer's
    probability, the confusion matrix. `predicted`: the answers given (default: the most probable)."""
    labels, probabilities = np.asarray(labels), np.asarray(probabilities, dtype=float)
    predicted = probabilities.argmax(axis=1) if predicted is None else np.asarray(predicted)
    confidence = probabilities[np.arange(len(predicted)), predicted]
    recall = recall_score(labels, predicted, labels=[0, 1, 2], average=None, zero_division=0)
    precision = precision_score(labels, predicted, labels=[0, 1, 2], average=None, zero_division=0)
    f1 = f1_score(labels, predicted, labels=[0, 1, 2], average=None, zero_division=0)
    scores = {"images": int(len(labels)), "accuracy": float(accuracy_score(labels, predicted)),
              "ece": calibration_error(confidence, predicted == labels),
              "confusion_matrix": confusion_matrix(labels, predicted, labels=[0, 1, 2])}
    for index, answer in enumerate(ANSWERS):
        scores.update({f"{answer}_recall": float(recall[index]), f"{answer}_precision": float(precision[index]),
                       f"{answer}_f1": float(f1[index])})
    return scores


def three_way_line(scores) -> str:
    return (f"{scores['accuracy']:.2%} three ways, recall/precision " + ", ".join(
        f"{a} {scores[f'{a}_recall']:.3f}/{scores[f'{a}_precision']:.3f}" for a in ANSWERS)
        + f", sad F1 {scores['sad_f1']:.3f}, ECE {scores['ece']:.3f} ({scores['images']} faces)")


def summary_line(name, scores) -> str:
    return (f"{name}: {scores['accuracy']:.2%} accuracy, macro-F1 {scores['macro_f1']:.3f}, "
            f"happy/sad recall {scores['happy_recall']:.3f}/{scores['sad_recall']:.3f}, ECE {scores['ece']:.3f}, "
            f"{scores['confident_mistakes']} wrong at >={CONFIDENT:.0%} ({scores['images']} images)")
