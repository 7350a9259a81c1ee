"""Training one network pass to answer as the average of a face's moved and mirrored copies would.

A face and its mirror image show the same expression, and a detector's box lands a pixel or two
apart from one frame to the next. `PairedViews` hands the network each training face twice, as
the notebook's augmented face and as its mirror image moved by up to MAX_MOVE pixels; the loss
(`votes_and_agreement`) teaches both views the votes and, weighted, to agree with each other. A
single pass then answers nearly as the mean over such copies would, at a tenth of the work.

Backs docs/experiments.md, "A leaner network for `fer`'s speed".
"""
import keras
import numpy as np

MAX_MOVE = 2  # pixels, each way: what a face detector's box moves from frame to frame


def moved(images: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Images (N, height, width, channels) shifted by (dx, dy) pixels, edge pixels repeated into the gap."""
    pad = max(abs(dx), abs(dy))
    if not pad:
        return images
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
    height, width = images.shape[1:3]
    return padded[:, pad - dy:pad - dy + height, pad - dx:pad - dx + width]


class PairedViews(keras.utils.PyDataset):
    """A flow's batches, each followed by its faces' mirror images, each moved at random by up to
    `max_move` pixels (0: mirrored only, for validation). Rows i and i + n of a batch are one face."""

    def __init__(self, flow, max_move=MAX_MOVE, seed=0):
        super().__init__()
        self.flow, self.max_move, self.random = flow, max_move, np.random.default_rng(seed)

    def __len__(self):
        return len(self.flow)

    def __getitem__(self, index):
        faces, targets = self.flow[index]
        mirrored = faces[:, :, ::-1]
        if self.max_move:
            shifts = self.random.integers(-self.max_move, self.max_move + 1, (len(faces), 2))
            mirrored = np.concatenate([moved(face[None], dx, dy) for face, (dx, dy) in zip(mirrored, shifts)])
        return np.concatenate([faces, mirrored]), np.concatenate([targets, targets])

    def on_epoch_end(self):
        self.flow.on_epoch_end()


def votes_and_agreement(weight: float):
    """The loss for paired batches: each view's cross-entropy against its face's votes, plus
    `weight` times the symmetric KL divergence between the two views' emotion distributions."""

    def loss(targets, predicted):
        cross_entropy = keras.losses.categorical_crossentropy(targets, predicted)
        first, second = keras.ops.split(keras.ops.clip(predicted, 1e-7, 1.0), 2, axis=0)
        divergence = keras.ops.sum((first - second) * (keras.ops.log(first) - keras.ops.log(second)), axis=-1)
        return cross_entropy + weight * keras.ops.concatenate([divergence, divergence])

    loss.__name__ = "votes_and_agreement"
    return loss
