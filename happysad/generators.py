"""Keras ImageDataGenerator flows: an 80/20 train/validation split of happy/ and sad/, and holdout/."""
import random
from pathlib import Path

from tensorflow.keras.preprocessing.image import ImageDataGenerator

from .config import CLASS_NAMES, IMAGE_SIZE
from .data_import import HOLDOUT_DIR, REJECTED_DIR, set_aside_unusable

VALIDATION_SPLIT = 0.2


# Mild, face-preserving augmentation: a tilted, shifted or mirrored face keeps its expression.
AUGMENTATION = dict(rotation_range=10, width_shift_range=0.1, height_shift_range=0.1,
                    zoom_range=0.1, horizontal_flip=True, fill_mode="nearest")


# Keras' loader resizes with nearest by default, this project's with bilinear; FER2013's 48x48
# faces look different under the two. Training batches use both, so either gives one answer.
RESIZE_FILTERS = ("bilinear", "nearest")


def mix_resize_filters(flow, seed=None, filters=RESIZE_FILTERS):
    """Make a flow_from_directory iterator load each batch with a resize filter drawn at random."""
    draw = random.Random(seed)
    load_batch = flow._get_batches_of_transformed_samples  # the one method that reads files

    def load_batch_with_a_random_filter(index_array):
        flow.interpolation = draw.choice(filters)
        return load_batch(index_array)

    flow._get_batches_of_transformed_samples = load_batch_with_a_random_filter
    return flow


def _flow_options(color_mode, batch_size, seed):
    return dict(target_size=(IMAGE_SIZE, IMAGE_SIZE), color_mode=color_mode, classes=list(CLASS_NAMES),
                class_mode="binary", batch_size=batch_size, seed=seed, interpolation="bilinear")


def make_generators(data_dir=".", color_mode="grayscale", batch_size=64, seed=42, augment=True):
    """(train, validation) flows over data_dir/happy and data_dir/sad.

    Both use the same split and seed, so they see disjoint files; only the
    training side is augmented (and resized with a filter drawn per batch),
    and validation keeps a fixed order and bilinear resizing. Files that
    cannot be decoded are first moved to rejected/, so no epoch dies on one.
    """
    for path, reason in set_aside_unusable(data_dir):
        print(f"set aside {path}: {reason} (moved to {REJECTED_DIR}/)")
    augmentation = AUGMENTATION if augment else {}
    train_data = ImageDataGenerator(rescale=1 / 255, validation_split=VALIDATION_SPLIT, **augmentation)
    plain_data = ImageDataGenerator(rescale=1 / 255, validation_split=VALIDATION_SPLIT)
    options = _flow_options(color_mode, batch_size, seed)
    train = train_data.flow_from_directory(data_dir, subset="training", shuffle=True, **options)
    if augment:
        mix_resize_filters(train, seed)
    validation = plain_data.flow_from_directory(data_dir, subset="validation", shuffle=False, **options)
    return train, validation


def make_holdout_flow(data_dir=".", color_mode="grayscale", batch_size=64):
    """A flow over data_dir/holdout/{happy,sad}, or None when there is no held-out image."""
    folder = Path(data_dir, HOLDOUT_DIR)
    if not any((folder / label).is_dir() and any((folder / label).iterdir()) for label in CLASS_NAMES):
        return None
    for label in CLASS_NAMES:  # flow_from_directory needs both class folders
        (folder / label).mkdir(parents=True, exist_ok=True)
    options = _flow_options(color_mode, batch_size, seed=None)
    return ImageDataGenerator(rescale=1 / 255).flow_from_directory(folder, shuffle=False, **options)
