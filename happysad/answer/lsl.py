"""An LSL (Lab Streaming Layer) outlet of the answers, so LabRecorder records them beside EEG and eye
tracking: `python -m happysad serve --camera 0 --lsl`.

The stream: name "happysad", type "FacialExpression", irregular rate, float32, FACES slots of
CHANNELS each, every channel named in the stream's metadata (`<desc><channels>`, with its unit).
Each sample is one frame, stamped with the time the frame was taken on LSL's own clock. Slot k
holds the k-th face of the frame in face-number order (the number kept while the face is followed);
an empty slot has face 0 and NaN elsewhere; a frame with more faces than slots gives the first
FACES. `label` is the index of the label shown: 0 happy, 1 sad, 2 neither.
"""
import math
import time

from ..config import ANSWERS

CHANNELS = ("face", *(f"p_{a}_smoothed" for a in ANSWERS), "label", *(f"p_{a}" for a in ANSWERS), "x", "y", "size")
UNITS = {"face": "number", "label": "index", "x": "pixels", "y": "pixels", "size": "pixels"}
STREAM_NAME, STREAM_TYPE = "happysad", "FacialExpression"


def sample(faces, slots: int) -> list:
    """One LSL sample (slots x CHANNELS floats) for a frame's faces."""
    values = []
    for slot in range(slots):
        if slot < len(faces):
            face = faces[slot]
            values += [face.face, *face.smoothed, ANSWERS.index(face.label), *face.answer.probabilities,
                       face.box.x, face.box.y, face.box.size]
        else:
            values += [0.0] + [math.nan] * (len(CHANNELS) - 1)
    return values


class AnswerOutlet:
    """The outlet; `push(faces, captured)` sends one frame's sample, `captured` on time.monotonic()."""

    def __init__(self, slots=4, source_id="happysad"):
        try:
            import pylsl
        except ImportError:
            raise RuntimeError("--lsl needs pylsl (pip install .[live])") from None
        self.pylsl, self.slots = pylsl, slots
        info = pylsl.StreamInfo(STREAM_NAME, STREAM_TYPE, slots * len(CHANNELS), pylsl.IRREGULAR_RATE,
                                pylsl.cf_float32, source_id)
        channels = info.desc().append_child("channels")
        for slot in range(1, slots + 1):
            for name in CHANNELS:
                channel = channels.append_child("channel")
                channel.append_child_value("label", f"face{slot}_{name}")
                channel.append_child_value("unit", UNITS.get(name, "probability"))
                channel.append_child_value("type", STREAM_TYPE)
        info.desc().append_child_value("layout", f"{slots} slots of {len(CHANNELS)} channels, faces in number order; "
                                                 "an empty slot has face 0; label: 0 happy, 1 sad, 2 neither")
        self.outlet = pylsl.StreamOutlet(info)
        self.offset = pylsl.local_clock() - time.monotonic()  # from this process's clock to LSL's

    def push(self, faces, captured: float):
        self.outlet.push_sample(sample(faces, self.slots), captured + self.offset)
