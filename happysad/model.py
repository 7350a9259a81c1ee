"""The CNN: Conv2D + ReLU + BatchNormalization blocks, pooling, dense layers, one sigmoid output."""
import keras
import numpy as np
from keras import layers

from .config import IMAGE_SIZE

# (filters, Conv2D layers) per block; each block ends in 2x2 max pooling except the last.
BLOCKS = ((32, 2), (64, 2), (128, 2), (256, 2))
# FER2013 faces are 48x48: upscaled to 64 by the loader, they carry no more detail than 48
# pixels. Shrinking back with "area" averaging loses little, makes every convolution 44%
# cheaper, and narrows the gap between pictures loaded with nearest and bilinear resizing.
INTERNAL_SIZE = 48
# The first version's layout (64x64 all the way): kept to compare speeds with.
FIRST_VERSION = dict(blocks=((16, 1), (32, 1), (64, 2), (128, 2)), internal_size=IMAGE_SIZE,
                     dense_units=128, block_dropout=0.1)


def make_model(channels=1, blocks=BLOCKS, internal_size=INTERNAL_SIZE, dense_units=256, dropout=0.5,
               block_dropout=0.0, learning_rate=1e-3, weight_decay=0.0, label_smoothing=0.0):
    """A compiled binary classifier: (N, 64, 64, channels) in [0, 1] -> P(sad).

    `learning_rate` may be a schedule (see `cosine_schedule`).
    """
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, channels), name="image")
    x = inputs
    if internal_size != IMAGE_SIZE:
        x = layers.Resizing(internal_size, internal_size, interpolation="area", name="to_internal_size")(x)
    for index, (width, convolutions) in enumerate(blocks):
        for _ in range(convolutions):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        if index < len(blocks) - 1:
            x = layers.MaxPooling2D()(x)
        if block_dropout:
            x = layers.Dropout(block_dropout)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(dense_units, activation="relu")(x)
    x = layers.Dropout(dropout)(x)
    logit = layers.Dense(1, name="logit")(x)  # calibration divides this layer's weights (calibration.py)
    outputs = layers.Activation("sigmoid", name="p_sad")(logit)
    model = keras.Model(inputs, outputs, name="happy_sad_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, weight_decay=weight_decay or None),
                  loss=keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing),
                  metrics=["accuracy"])
    return model


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
