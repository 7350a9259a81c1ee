"""How the notebook trains: the learning-rate schedule, the precision, reproducibility, several GPUs."""
from pathlib import Path

import keras

# CPU features that compute bfloat16 natively (Linux /proc/cpuinfo names): Intel's AMX, and
# AVX512-BF16 (Intel Cooper Lake and later, AMD Zen 4 and later). Elsewhere bfloat16 is emulated
# and slower than float32.
BFLOAT16_FLAGS = {"amx_bf16", "avx512_bf16"}


def cosine_schedule(peak_learning_rate, total_steps, warmup_steps=0):
    """Linear warm-up to the peak, then cosine decay to zero at `total_steps`."""
    return keras.optimizers.schedules.CosineDecay(
        0.0 if warmup_steps else peak_learning_rate, max(1, total_steps - warmup_steps), alpha=0.0,
        warmup_target=peak_learning_rate if warmup_steps else None, warmup_steps=warmup_steps)


def make_reproducible(seed: int):
    """Seed Python, NumPy and TensorFlow and make TF ops deterministic: same seed, same run (on CPU)."""
    import tensorflow as tf
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def distribution_strategy(devices=None):
    """MirroredStrategy when several GPUs are visible (or over `devices`); else the default strategy.

    Build the model inside `strategy.scope()`; `fit` then splits each batch across replicas.
    """
    import tensorflow as tf
    if devices or len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy(devices)
    return tf.distribute.get_strategy()


def cpu_flags(cpuinfo="/proc/cpuinfo") -> set:
    """The CPU's feature flags (Linux); empty where /proc/cpuinfo is not there."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags") for flag in line.split(":", 1)[1].split()}


def precision(wanted="auto", flags=None, gpus=None) -> str:
    """The Keras dtype policy to train in: `wanted`, or for "auto" mixed_bfloat16 on a CPU that
    computes bfloat16 natively (no GPU in use), float32 elsewhere."""
    if wanted != "auto":
        return wanted
    import tensorflow as tf
    gpus = len(tf.config.list_logical_devices("GPU")) if gpus is None else gpus
    flags = cpu_flags() if flags is None else flags
    return "mixed_bfloat16" if not gpus and flags & BFLOAT16_FLAGS else "float32"
