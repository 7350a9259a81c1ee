import numpy as np

from happysad.generators import RESIZE_FILTERS, make_generators, make_holdout_flow


def test_split_is_80_20_with_disjoint_files(dataset):
    train, validation = make_generators(dataset, batch_size=16, seed=1)
    assert (train.samples, validation.samples) == (64, 16)
    assert not set(train.filepaths) & set(validation.filepaths)
    assert list(train.class_indices) == ["happy", "sad"]


def test_batches_have_model_shape_and_unit_range(dataset):
    for color_mode, channels in (("grayscale", 1), ("rgb", 3)):
        train, validation = make_generators(dataset, color_mode=color_mode, batch_size=16)
        for flow in (train, validation):
            images, labels = flow[0]
            assert images.shape == (16, 64, 64, channels)
            assert 0 <= images.min() and images.max() <= 1 and images.max() > 0.5
            assert set(labels) <= {0.0, 1.0}


def test_validation_is_not_augmented_but_training_is(dataset):
    train, validation = make_generators(dataset, batch_size=16, seed=3)
    _, plain_validation = make_generators(dataset, batch_size=16, seed=3, augment=False)
    np.testing.assert_array_equal(validation[0][0], plain_validation[0][0])
    np.testing.assert_array_equal(validation[0][0], validation[0][0])  # same every time
    plain_train, _ = make_generators(dataset, batch_size=16, seed=3, augment=False)
    assert not np.allclose(train[0][0], plain_train[0][0])


def test_holdout_flow(dataset, tmp_path):
    holdout = make_holdout_flow(dataset, batch_size=8)
    assert holdout.samples == 16 and not holdout.shuffle
    assert make_holdout_flow(tmp_path / "empty") is None



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
    runs = [filters_used(make_generators(dataset, batch_size=16, seed=5)[0]) for _ in range(2)]
    assert set(runs[0]) == set(RESIZE_FILTERS) and runs[0] == runs[1]
    _, validation = make_generators(dataset, batch_size=16, seed=5)
    assert filters_used(validation) == ["bilinear"] * 12

