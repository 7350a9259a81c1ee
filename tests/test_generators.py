"""The notebook's data-loading cells, run on a tiny dataset."""
import numpy as np

from happysad.generators import RESIZE_FILTERS
from happysad.notebook import run_steps


def flows(data_dir, **parameters):
    return run_steps("flows", DATA_DIR=str(data_dir), BATCH_SIZE=16, **parameters)


def test_split_is_80_20_with_disjoint_files(dataset):
    loaded = flows(dataset, SEED=1)
    train, validation = loaded["train_flow"], loaded["validation_flow"]
    assert (train.samples, validation.samples) == (64, 16)
    assert not set(train.filepaths) & set(validation.filepaths)
    assert list(train.class_indices) == ["happy", "sad"]


def test_batches_have_model_shape_and_unit_range(dataset):
    for color_mode, channels in (("grayscale", 1), ("rgb", 3)):
        loaded = flows(dataset, COLOR_MODE=color_mode)
        for flow in (loaded["train_flow"], loaded["validation_flow"], loaded["holdout_flow"]):
            images, labels = flow[0]
            assert images.shape == (16, 64, 64, channels)
            assert 0 <= images.min() and images.max() <= 1 and images.max() > 0.5
            assert set(labels) <= {0.0, 1.0}


def test_validation_is_not_augmented_but_training_is(dataset):
    loaded = flows(dataset, SEED=3)
    validation = loaded["validation_flow"]
    np.testing.assert_array_equal(validation[0][0], validation[0][0])  # same every time
    plain = dict(loaded["flow_options"], shuffle=True)
    plain_train = loaded["plain_datagen"].flow_from_directory(str(dataset), subset="training", **plain)
    assert not np.allclose(loaded["train_flow"][0][0], plain_train[0][0])
    plain_validation = loaded["plain_datagen"].flow_from_directory(str(dataset), subset="validation",
                                                                   **dict(plain, shuffle=False))
    np.testing.assert_array_equal(validation[0][0], plain_validation[0][0])


def test_holdout_flow_reads_holdout_only_and_is_optional(dataset, tmp_path):
    holdout = flows(dataset)["holdout_flow"]
    assert holdout.samples == 16 and not holdout.shuffle
    assert all("/holdout/" in path for path in holdout.filepaths)
    no_holdout = tmp_path / "no_holdout"
    no_holdout.mkdir()
    for label in ("happy", "sad"):
        (dataset / label).rename(no_holdout / label)
    assert flows(no_holdout)["holdout_flow"] is None


def filters_used(flow, batches=12):
    """The resize filter each of `batches` batches was loaded with."""
    used, load = [], flow._get_batches_of_transformed_samples

    def recording(index_array):
        batch = load(index_array)
        used.append(flow.interpolation)
        return batch

    flow._get_batches_of_transformed_samples = recording
    for i in range(batches):
        flow[i % len(flow)]
    return used


def test_training_batches_mix_resize_filters_the_same_way_each_run(dataset):
    runs = [filters_used(flows(dataset, SEED=5)["train_flow"]) for _ in range(2)]
    assert set(runs[0]) == set(RESIZE_FILTERS) and runs[0] == runs[1]
    assert filters_used(flows(dataset, SEED=5)["validation_flow"]) == ["bilinear"] * 12
