"""The notebook's data-loading cells, run on a tiny dataset."""
import numpy as np

from happysad.train.resize_filters import RESIZE_FILTERS, mix_resize_filters
from happysad.train.notebook import run_steps
from happysad.data.votes import EMOTIONS


def flows(data_dir, **parameters):
    return run_steps("flows", DATA_DIR=str(data_dir), BATCH_SIZE=16, **parameters)


def test_split_is_80_20_with_disjoint_files(dataset):
    loaded = flows(dataset, SEED=1)
    train, validation = loaded["train_flow"], loaded["validation_flow"]
    assert (train.samples, validation.samples) == (64, 16)
    assert not set(train.filepaths) & set(validation.filepaths)
    scored = loaded["scored_flows"]["validation"]  # the happy and sad faces of validation, binary
    assert set(scored.filepaths) == set(validation.filepaths) and list(scored.class_indices) == ["happy", "sad"]


def test_faces_without_votes_are_taught_their_folder_alone(dataset):
    loaded = flows(dataset)
    faces = loaded["faces"]
    targets = faces[list(loaded["TARGETS"])].to_numpy()
    expected = [EMOTIONS.index({"happy": "happiness", "sad": "sadness"}[e]) for e in faces.emotion]
    np.testing.assert_array_equal(targets, np.eye(len(EMOTIONS))[expected])


def test_batches_have_model_shape_and_unit_range(dataset):
    for color_mode, channels in (("grayscale", 1), ("rgb", 3)):
        loaded = flows(dataset, COLOR_MODE=color_mode)
        for flow in (loaded["train_flow"], loaded["validation_flow"]):
            images, targets = flow[0]
            assert images.shape == (16, 48, 48, channels) and targets.shape == (16, len(EMOTIONS))
            assert 0 <= images.min() and images.max() <= 1 and images.max() > 0.5
            np.testing.assert_allclose(targets.sum(axis=1), 1)
        for flow in loaded["scored_flows"].values():
            images, labels = flow[0]
            assert images.shape == (16, 48, 48, channels) and set(labels) <= {0.0, 1.0}


def test_validation_is_not_augmented_but_training_is(dataset):
    loaded = flows(dataset, SEED=3)
    validation = loaded["validation_flow"]
    plain = dict(loaded["emotion_options"], shuffle=True)
    plain_train = loaded["plain_datagen"].flow_from_dataframe(loaded["faces"], subset="training", **plain)
    assert not np.allclose(loaded["train_flow"][0][0], plain_train[0][0])
    plain_validation = loaded["plain_datagen"].flow_from_dataframe(loaded["faces"], subset="validation",
                                                                   **dict(plain, shuffle=False))
    np.testing.assert_array_equal(validation[0][0], plain_validation[0][0])


def test_the_held_out_scored_flow_reads_holdout_only_and_is_optional(dataset, tmp_path):
    holdout = flows(dataset)["scored_flows"]["held-out"]
    assert holdout.samples == 16 and not holdout.shuffle
    assert all("/holdout/" in path for path in holdout.filepaths)
    no_holdout = tmp_path / "no_holdout"
    no_holdout.mkdir()
    for label in ("happy", "sad"):
        (dataset / label).rename(no_holdout / label)
    assert "held-out" not in flows(no_holdout)["scored_flows"]


def filters_seen(data_dir, seed, batches=12):
    """Which resize filter each batch of a mixed flow was loaded with, read from its pixels alone: a
    flow of the notebook's training faces, unaugmented and resized 48 -> 36 so the filters differ,
    compared with the same flow loaded all bilinear and all nearest (Keras' public `interpolation`)."""
    loaded = flows(data_dir, SEED=seed, IMAGE_SIZE=36)
    options = dict(loaded["emotion_options"], shuffle=False)

    def load(**extra):
        return loaded["plain_datagen"].flow_from_dataframe(loaded["faces"], subset="training", **dict(options, **extra))

    plain = {name: load(interpolation=name) for name in RESIZE_FILTERS}
    mixed = mix_resize_filters(load(), seed=seed)
    seen = []
    for i in range(batches):
        batch = mixed[i % len(mixed)][0]
        seen += [name for name, flow in plain.items() if np.array_equal(batch, flow[i % len(flow)][0])]
    assert len(seen) == batches, "a batch matched neither filter: has Keras changed how a flow loads a batch?"
    return seen


def test_training_batches_mix_resize_filters_the_same_way_each_run(dataset):
    """mix_resize_filters patches the loader's one batch-reading method (private in Keras): if a
    Keras release stops calling it, the batches stop mixing and this fails."""
    runs = [filters_seen(dataset, seed=5) for _ in range(2)]
    assert set(runs[0]) == set(RESIZE_FILTERS) and runs[0] == runs[1]
    loaded = flows(dataset, SEED=5)
    assert getattr(loaded["train_flow"], "loads_with_random_filters", False)
    assert loaded["validation_flow"].interpolation == "bilinear" and not hasattr(
        loaded["validation_flow"], "loads_with_random_filters")  # validation and scoring: bilinear always


def test_looking_down_share_changes_training_faces_and_leaves_validation_alone(dataset):
    plain, bent = flows(dataset, SEED=3, LOOKING_DOWN_SHARE=0.0), flows(dataset, SEED=3, LOOKING_DOWN_SHARE=1.0)
    assert plain["train_datagen"].preprocessing_function is None
    assert not np.allclose(plain["train_flow"][0][0], bent["train_flow"][0][0])
    np.testing.assert_array_equal(plain["validation_flow"][0][0], bent["validation_flow"][0][0])
