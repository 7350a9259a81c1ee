"""The CNN: Conv2D + ReLU + BatchNormalization blocks, pooling, dense layers, one sigmoid output."""
import keras
from keras import layers

from .config import IMAGE_SIZE


def make_model(channels=1, filters=(32, 64, 128), dense_units=128, dropout=0.5, learning_rate=1e-3):
    """A compiled binary classifier: (N, 64, 64, channels) in [0, 1] -> P(sad)."""
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, channels), name="image")
    x = inputs
    for width in filters:
        for _ in range(2):
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
