"""LiteRT, the runtime every shipped network answers on (the face detector and the classifier): its
interpreter with the threads given, and the project's metadata entry in a LiteRT file, read and
written.
"""
import json
import os

import numpy as np

from ..quiet import muted_stderr

# the project's metadata entry in a LiteRT file (happysad.answer.classifier says what it holds)
METADATA_NAME = "happysad"


def default_threads() -> int:
    """Threads for one interpreter: the cores, up to two (more than the cores only queue; two keep a
    2-core machine busy)."""
    return min(2, os.cpu_count() or 1)


def interpreter_class():
    """LiteRT's Interpreter class: from `ai-edge-litert`, or, on a platform it has no wheel for,
    TensorFlow's own (the same runtime; importing TensorFlow costs seconds)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        from ..quiet import import_tensorflow_quietly

        import_tensorflow_quietly()
        from tensorflow.lite import Interpreter
    return Interpreter


def interpreter(threads: int, model_path=None, model_content: bytes | None = None):
    """A LiteRT interpreter for the model file at `model_path` (or its bytes), running on `threads`
    threads; XNNPACK's notice muted. Raises what LiteRT raises for an unusable model."""
    Interpreter = interpreter_class()
    with muted_stderr():  # XNNPACK says it is there
        if model_path is not None:
            return Interpreter(model_path=str(model_path), num_threads=threads)
        return Interpreter(model_content=model_content, num_threads=threads)


def schema():
    """The LiteRT file format's generated reader and writer (from wherever the interpreter comes)."""
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError:
        from tensorflow.lite.python import schema_py_generated
    return schema_py_generated


def read_metadata(tflite_bytes: bytes) -> dict:
    """The project's metadata entry in a LiteRT file ({} when it has none)."""
    model = schema().Model.GetRootAs(tflite_bytes, 0)
    for index in range(model.MetadataLength()):
        entry = model.Metadata(index)
        if entry.Name() and entry.Name().decode() == METADATA_NAME:
            data = model.Buffers(entry.Buffer()).DataAsNumpy()
            return json.loads(bytes(data).decode()) if isinstance(data, np.ndarray) else {}
    return {}


def with_metadata(tflite_bytes: bytes, metadata: dict) -> bytes:
    """The LiteRT model with `metadata` (JSON) as its metadata entry named METADATA_NAME (replacing one)."""
    import flatbuffers

    generated = schema()
    model = generated.ModelT.InitFromPackedBuf(bytearray(tflite_bytes), 0)
    buffer = generated.BufferT()
    buffer.data = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    model.buffers.append(buffer)
    entry = generated.MetadataT()
    entry.name, entry.buffer = METADATA_NAME, len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name not in (METADATA_NAME, METADATA_NAME.encode())]
    model.metadata.append(entry)
    builder = flatbuffers.Builder(len(tflite_bytes) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
