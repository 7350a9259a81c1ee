"""Each training batch loaded with a resize filter drawn at random (bilinear or nearest)."""
import random

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
