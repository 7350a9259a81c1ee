"""Each training batch loaded with a resize filter drawn at random (bilinear or nearest)."""
import random

# Keras' loader resizes with nearest by default, this project's with bilinear; FER2013's 48x48
# faces look different under the two. Training batches use both, so either gives one answer.
RESIZE_FILTERS = ("bilinear", "nearest")
# Keras reads a batch's files in this one method (private; the public `interpolation` is fixed
# per flow). tests/test_generators.py checks from the pixels that batches still mix.
BATCH_LOADER = "_get_batches_of_transformed_samples"


def mix_resize_filters(flow, seed=None, filters=RESIZE_FILTERS):
    """Make a flow_from_directory/flow_from_dataframe iterator load each batch with a resize filter drawn at random."""
    load_batch = getattr(flow, BATCH_LOADER, None)
    if load_batch is None:
        raise RuntimeError(f"this Keras version's {type(flow).__name__} has no {BATCH_LOADER}: "
                           "happysad.train.resize_filters needs updating for it")
    draw = random.Random(seed)

    def load_batch_with_a_random_filter(index_array):
        flow.interpolation = draw.choice(filters)
        return load_batch(index_array)

    setattr(flow, BATCH_LOADER, load_batch_with_a_random_filter)
    flow.loads_with_random_filters = True
    return flow
