"""Around the notebook's CNN: its learning-rate schedule, flip averaging for the saved model, its logit layer.

The CNN itself (`make_model`) is defined in the notebook, its one home.
"""
import keras
import numpy as np
from keras import layers

from .config import IMAGE_SIZE

def cosine_schedule(peak_learning_rate, total_steps, warmup_steps=0):
    """Linear warm-up to the peak, then cosine decay to zero at `total_steps`."""
    return keras.optimizers.schedules.CosineDecay(
        0.0 if warmup_steps else peak_learning_rate, max(1, total_steps - warmup_steps), alpha=0.0,
        warmup_target=peak_learning_rate if warmup_steps else None, warmup_steps=warmup_steps)


def with_flip_averaging(model):
    """The trained network inside a model that answers the mean of its logits for the picture
    and its mirror image: test-time augmentation that every caller of the saved file gets.
    """
    network = keras.Model(model.inputs, model.get_layer("logit").output, name=model.name)
    inputs = keras.Input(model.input_shape[1:], name="image")
    logits = [network(inputs), network(_mirrored(inputs))]
    outputs = layers.Activation("sigmoid", name="p_sad")(layers.Average(name="mean_logit")(logits))
    return keras.Model(inputs, outputs, name="happy_sad_cnn_flip_averaged")


def _mirrored(images):
    """Left-right mirror images, from standard layers only (a Lambda could not load in safe mode):
    width moved last, multiplied by the reversed identity matrix, moved back."""
    width = images.shape[2]
    reverse = layers.Dense(width, use_bias=False, trainable=False, name="mirror")
    mirrored = reverse(layers.Permute((1, 3, 2))(images))
    reverse.set_weights([np.eye(width, dtype="float32")[::-1]])
    return layers.Permute((1, 3, 2))(mirrored)


def logit_layer(model):
    """The Dense layer whose output is the logit of P(sad), in the model or in the network it wraps."""
    for layer in model.layers:
        if layer.name == "logit":
            return layer
        if isinstance(layer, keras.Model):
            return logit_layer(layer)
    raise ValueError(f"{model.name} has no layer named 'logit'")
