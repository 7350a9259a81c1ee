"""From the trained emotion network to the shipped file: the happy/sad answer, flip averaging,
the temperature folded in, and an atomic save. Every caller of the saved model gets all of it.

The saved model's contract: a batch (N, size, size, channels) of values in [0, 1] in, P(sad) out,
from a sigmoid over a Dense layer named `logit` (calibration and Grad-CAM find it by that name).
"""
import keras
import numpy as np
from keras import layers

from .files import atomic_path


def in_float32(network):
    """The network computing in float32. One trained in mixed precision keeps bfloat16 layers;
    the shipped file must run alike, and fast, on every CPU (bfloat16 is emulated on most)."""
    if all(layer.dtype_policy.name == "float32" for layer in network.layers):
        return network

    def float32_layer(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": "float32"})

    clone = keras.models.clone_model(network, clone_function=float32_layer)
    clone.set_weights(network.get_weights())
    return clone


def happy_vs_sad(network, emotions, happy="happiness", sad="sadness"):
    """The emotion network as the saved model's contract: P(sad) = sigmoid(z_sad - z_happy).

    That is the network's softmax restricted to the two classes, P(sad | happy or sad), however
    much it believes in the other emotions. The difference of the two logits is a fixed Dense
    layer named `logit`. A network trained in mixed precision is rebuilt in float32 first.
    """
    network = in_float32(network)
    logits = network.get_layer("emotion_logits").output
    difference = layers.Dense(1, name="logit", dtype="float32")
    logit = difference(logits)
    kernel = np.zeros((len(emotions), 1), dtype="float32")
    kernel[emotions.index(sad)], kernel[emotions.index(happy)] = 1.0, -1.0
    difference.set_weights([kernel, np.zeros(1, dtype="float32")])
    return keras.Model(network.inputs, layers.Activation("sigmoid", name="p_sad", dtype="float32")(logit),
                       name="happy_sad_cnn")


def with_flip_averaging(model):
    """The happy/sad model inside one that answers the mean of its logits for the picture and its
    mirror image: test-time augmentation that every caller of the saved file gets. Its layers compute
    in float32 whatever the global policy (training may have set mixed precision).
    """
    network = keras.Model(model.inputs, model.get_layer("logit").output, name=model.name)
    inputs = keras.Input(model.input_shape[1:], name="image")
    logits = [network(inputs), network(_mirrored(inputs))]
    outputs = layers.Activation("sigmoid", name="p_sad", dtype="float32")(
        layers.Average(name="mean_logit", dtype="float32")(logits))
    return keras.Model(inputs, outputs, name="happy_sad_cnn_flip_averaged")


def _mirrored(images):
    """Left-right mirror images, from standard layers only (a Lambda could not load in safe mode):
    width moved last, multiplied by the reversed identity matrix, moved back."""
    width = images.shape[2]
    reverse = layers.Dense(width, use_bias=False, trainable=False, name="mirror", dtype="float32")
    mirrored = reverse(layers.Permute((1, 3, 2), dtype="float32")(images))
    reverse.set_weights([np.eye(width, dtype="float32")[::-1]])
    return layers.Permute((1, 3, 2), dtype="float32")(mirrored)


def logit_layer(model):
    """The Dense layer whose output is the logit of P(sad), in the model or in the network it wraps."""
    for layer in model.layers:
        if layer.name == "logit":
            return layer
        if isinstance(layer, keras.Model):
            return logit_layer(layer)
    raise ValueError(f"{model.name} has no layer named 'logit'")


def fold_temperature(model, temperature: float):
    """Divide the logit layer's weights by T, in place: the model now outputs sigmoid(logit / T),
    the calibrated P(sad) (happysad.calibration fits T)."""
    layer = logit_layer(model)
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel / temperature, bias / temperature])
    return model


class SaveError(OSError):
    """The model could not be written; the previous file at that path is untouched."""


def save_model(model, path):
    """Write the model beside `path`, then rename it into place: a crash, a full disk or a
    read-only folder never leaves half a file, and the old model stays whole until the new one is."""
    try:
        with atomic_path(path) as temporary:
            model.save(temporary)
    except OSError as error:
        raise SaveError(f"cannot save the model to {path}: {error.strerror or error}") from None
    return path
