"""The notebook's figures; each helper draws one figure and saves it when given a path."""
import random
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from PIL import Image

from ..config import CLASS_NAMES


def _finish(figure, save_to):
    figure.tight_layout()
    if save_to:
        Path(save_to).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(save_to, dpi=100)
    plt.show()


def plot_class_counts(counts: dict, save_to=None):
    """Bars of images per class for each split; counts is {split: {label: n}} (happy and sad first)."""
    labels = list(CLASS_NAMES) + sorted({label for per_label in counts.values() for label in per_label}
                                        - set(CLASS_NAMES))
    figure, ax = plt.subplots(figsize=(max(6, 1.3 * len(labels)), 3.5))
    width = 0.8 / len(counts)
    for i, (split, per_label) in enumerate(counts.items()):
        values = [per_label.get(label, 0) for label in labels]
        bars = ax.bar(np.arange(len(labels)) + i * width, values, width, label=split)
        ax.bar_label(bars, fontsize=7)
    ax.set_xticks(np.arange(len(labels)) + width * (len(counts) - 1) / 2, labels)
    ax.set_ylabel("images")
    ax.set_title("Images per class")
    ax.legend()
    _finish(figure, save_to)


def plot_samples(paths, labels, rows=3, columns=6, seed=0, save_to=None):
    """A grid of random images with their labels (names, or indices into CLASS_NAMES)."""
    chosen = random.Random(seed).sample(range(len(paths)), min(rows * columns, len(paths)))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.6, rows * 1.8))
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen):
        ax.imshow(Image.open(paths[i]), cmap="gray")
        ax.set_title(labels[i] if isinstance(labels[i], str) else CLASS_NAMES[labels[i]], fontsize=9)
    _finish(figure, save_to)


def plot_mistakes(paths, labels, p_sad, title, count=12, columns=6, save_to=None):
    """The `count` most confident mistakes: each image with the true label and the model's answer."""
    from .evaluation import confident_mistakes

    labels, p_sad = np.asarray(labels), np.asarray(p_sad, dtype=float)
    confidence = np.maximum(p_sad, 1 - p_sad)
    chosen = confident_mistakes(labels, p_sad, confident=0.5)[:count]  # every mistake, most confident first
    rows = max(1, -(-len(chosen) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.7, rows * 2.0), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen):
        ax.imshow(Image.open(paths[i]), cmap="gray")
        ax.set_title(f"{CLASS_NAMES[labels[i]]}, called\n{CLASS_NAMES[1 - labels[i]]} {confidence[i]:.0%}", fontsize=8)
    figure.suptitle(title, fontsize=10)
    _finish(figure, save_to)


def plot_augmented(image_generator, image: np.ndarray, count=8, seed=0, save_to=None):
    """One image (values in [0, 1]) beside random augmentations of it."""
    figure, axes = plt.subplots(1, count + 1, figsize=((count + 1) * 1.5, 1.9))
    versions = [image] + [image_generator.random_transform(image, seed=seed + i) for i in range(count)]
    for i, (ax, version) in enumerate(zip(axes, versions)):
        ax.imshow(version.squeeze(), cmap="gray", vmin=0, vmax=1)
        ax.set_title("original" if i == 0 else f"augmented {i}", fontsize=8)
        ax.axis("off")
    _finish(figure, save_to)


def plot_history(history: dict, save_to=None):
    """Loss and accuracy per epoch, training against validation."""
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.plot(epochs, history[metric], "o-", label="training")
        ax.plot(epochs, history[f"val_{metric}"], "o-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend()
    _finish(figure, save_to)


def plot_confusion_matrix(matrix, title, save_to=None, names=CLASS_NAMES):
    figure, ax = plt.subplots(figsize=(1.3 * len(names) + 1.4, 1.2 * len(names) + 1.1))
    sns.heatmap(matrix, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax, xticklabels=names, yticklabels=names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    _finish(figure, save_to)


def plot_grad_cam(images, heatmaps, titles, save_to=None):
    """Each face with its Grad-CAM heatmap laid over it."""
    figure, axes = plt.subplots(1, len(images), figsize=(len(images) * 1.8, 2.2), squeeze=False)
    for ax, image, heatmap, title in zip(axes[0], images, heatmaps, titles):
        ax.imshow(image.squeeze(), cmap="gray", vmin=0, vmax=1)
        ax.imshow(heatmap, cmap="jet", alpha=0.4, vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    _finish(figure, save_to)


def plot_annotated_photos(paths, predictions, save_to=None):
    """Photos side by side, each with its faces boxed and labelled."""
    from ..answer.annotate import draw_predictions
    from ..vision.images import read_image

    figure, axes = plt.subplots(1, len(paths), figsize=(4 * len(paths), 4), squeeze=False)
    for ax, path in zip(axes[0], paths):
        ax.imshow(draw_predictions(read_image(path), [p for p in predictions if p.path == str(path)]))
        ax.axis("off")
    _finish(figure, save_to)
