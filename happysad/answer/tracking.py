"""Follow each face from frame to frame, and keep its answer steady.

FaceTracks gives every face a number (1, 2, ... in the order faces appear) that it keeps while
it stays in the picture, through the frames where the detector misses it for up to LOST_SECONDS;
a face that is gone longer comes back as a new number. The matching is ByteTrack (Roboflow's
`trackers`, Kalman-predicted boxes matched by overlap), over the detector's square boxes.

SteadyAnswer smooths one face's P(sad) over time with a time constant in seconds (not frames,
so a clip read every third frame gives the same curve) and gives a label with hysteresis: it
turns only when the smoothed answer crosses 0.5 by HYSTERESIS, so it does not flicker when a
face hovers near undecided.
"""
import math

import numpy as np

from .faces import MIN_SCORE

SMOOTHING_SECONDS = 0.5  # time constant: a change of expression shows in the smoothed answer within about a second
HYSTERESIS = 0.1  # the label turns sad above 0.6 and happy again below 0.4
LOST_SECONDS = 1.0  # a face missed by the detector for up to this long keeps its number
TRACKER_FRAME_RATE = 30  # ByteTrack counts its lost-track buffer in frames at 30 frames/s


class SteadyAnswer:
    """One face's answer over time: P(sad) smoothed exponentially, a label with hysteresis."""

    def __init__(self, time_constant=SMOOTHING_SECONDS, hysteresis=HYSTERESIS):
        self.time_constant, self.hysteresis = time_constant, hysteresis
        self.p_sad = self.time_s = self.label = None

    def update(self, p_sad: float, time_s: float) -> tuple[float, str]:
        """(smoothed P(sad), label) after this frame's answer at `time_s` seconds."""
        if self.p_sad is None or self.time_constant <= 0:
            self.p_sad = p_sad
        else:  # the weight of the new answer grows with the time since the last one
            weight = 1 - math.exp(-max(0.0, time_s - self.time_s) / self.time_constant)
            self.p_sad += weight * (p_sad - self.p_sad)
        self.time_s = time_s
        if self.label is None:
            self.label = "sad" if self.p_sad >= 0.5 else "happy"
        elif self.label == "happy" and self.p_sad >= 0.5 + self.hysteresis:
            self.label = "sad"
        elif self.label == "sad" and self.p_sad <= 0.5 - self.hysteresis:
            self.label = "happy"
        return self.p_sad, self.label

    @property
    def confidence(self) -> float:
        """How sure the smoothed answer is of the label shown (below 0.5 inside the hysteresis band)."""
        return self.p_sad if self.label == "sad" else 1 - self.p_sad


class FaceTracks:
    """Face numbers over the frames of one video: `update(boxes, time_s)` -> [(number, box), ...]."""

    def __init__(self, frames_per_second: float, lost_seconds=LOST_SECONDS):
        from trackers import ByteTrackTracker

        self._tracker = ByteTrackTracker(lost_track_buffer=max(1, round(lost_seconds * TRACKER_FRAME_RATE)),
                                         frame_rate=frames_per_second, track_activation_threshold=MIN_SCORE,
                                         high_conf_det_threshold=MIN_SCORE, minimum_consecutive_frames=1)
        self._numbers = {}  # the tracker's ids -> face numbers 1, 2, ... in order of appearance

    def update(self, boxes, time_s=None) -> list:
        import supervision

        if boxes:
            detections = supervision.Detections(
                xyxy=np.array([[b.x, b.y, b.x + b.size, b.y + b.size] for b in boxes], dtype=float),
                confidence=np.array([b.score for b in boxes], dtype=float),
                class_id=np.zeros(len(boxes), dtype=int), data={"box": np.arange(len(boxes))})
        else:
            detections = supervision.Detections.empty()
        tracked = self._tracker.update(detections, timestamp=time_s)
        faces = []
        for index, tracker_id in zip(tracked.data.get("box", []), tracked.tracker_id):
            if tracker_id >= 0:
                number = self._numbers.setdefault(int(tracker_id), len(self._numbers) + 1)
                faces.append((number, boxes[int(index)]))
        return sorted(faces)

