"""The CNN: Conv2D + ReLU + BatchNormalization blocks, pooling, dense layers, one sigmoid output."""
import keras
from keras import layers

from .config import IMAGE_SIZE


# (filters, Conv2D layers) per block. Narrow early blocks keep the 64x64 layers cheap on a
# laptop CPU; the deeper, smaller maps get two convolutions each.
BLOCKS = ((16, 1), (32, 1), (64, 2), (128, 2))


def make_model(channels=1, blocks=BLOCKS, dense_units=128, dropout=0.5, learning_rate=1e-3):
    """A compiled binary classifier: (N, 64, 64, channels) in [0, 1] -> P(sad)."""
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, channels), name="image")
    x = inputs
    for width, convolutions in blocks:
        for _ in range(convolutions):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.ReLU()(x)
        x = layers.MaxPooling2D()(x)
        x = layers.Dropout(0.1)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(dense_units, activation="relu")(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(1, activation="sigmoid", name="p_sad")(x)
    model = keras.Model(inputs, outputs, name="happy_sad_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model
