"""Grad-CAM: which pixels pushed the model towards its answer."""
import keras
import numpy as np
import tensorflow as tf


def last_feature_maps(network):
    """The rectified feature maps that global pooling reads: Grad-CAM's layer. (The last Conv2D's
    own output comes before BatchNormalization and ReLU; weighted, it is often negative everywhere,
    which gave blank heatmaps for about half the faces.)"""
    pooling = next(layer for layer in network.layers if isinstance(layer, keras.layers.GlobalAveragePooling2D))
    return pooling.input


def grad_cam(model, images: np.ndarray) -> np.ndarray:
    """Heatmaps in [0, 1], one per image, at the input's size: where evidence for the predicted class lies."""
    from ..answer.classifier import find_layer

    network, logit = find_layer(model, "logit")  # the model, or the network an averaged model wraps
    probe = keras.Model(network.input, [last_feature_maps(network), logit.output])
    inputs = tf.convert_to_tensor(images, dtype=tf.float32)
    with tf.GradientTape() as tape:
        features, logit = probe(inputs, training=False)
        score = tf.abs(logit[:, 0])  # evidence for the predicted class: +logit for sad, -logit for happy
    gradients = tape.gradient(score, features)
    weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    maps = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))[..., None]
    maps = tf.image.resize(maps, images.shape[1:3]).numpy()[..., 0]
    return maps / np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-8)


def right_and_wrong_examples(model, filepaths, labels, p_sad, count=4, seed=0):
    """(images, heatmaps, titles) for `count` correctly and `count` wrongly classified files."""
    from ..config import CLASS_NAMES
    from ..vision.images import read_image, to_model_input
    from ..answer.prediction import input_size_and_channels

    rng = np.random.default_rng(seed)
    correct = (np.asarray(p_sad) >= 0.5) == np.asarray(labels).astype(bool)
    chosen = [i for group in (np.flatnonzero(correct), np.flatnonzero(~correct))
              for i in rng.permutation(group)[:count]]
    images = np.stack([to_model_input(read_image(filepaths[i]), *input_size_and_channels(model))
                       for i in chosen])
    titles = [f"{'right' if correct[i] else 'WRONG'}: {CLASS_NAMES[int(p_sad[i] >= 0.5)]} "
              f"{max(p_sad[i], 1 - p_sad[i]):.0%}" for i in chosen]
    return images, grad_cam(model, images), titles
