"""Follow each face from frame to frame, and keep its answer steady.

FaceTracks gives every face a number (1, 2, ... in the order faces appear) that it keeps while
it stays in the picture. Where it expects each face (its last place, moved on at its speed), the
video pipeline looks for it again in a small window (FaceDetector.find_near, as MediaPipe's video
graphs do), and searches the whole frame only every FULL_SEARCH_SECONDS and while a face is
missing. A face not seen for up to LOST_SECONDS (hidden behind another, turned away, missed)
keeps its number when it comes back: it is recognised by how it looks (Appearance: its colours
and its features at 16x16) as well as by where it should be. Two faces claiming one place is
settled by how they look; a face more than half covered by another gives no answer that frame,
rather than its neighbour's.

SteadyAnswer smooths one face's three answers (P(happy), P(sad), P(neither)) over time with a time
constant in seconds (not frames, so a clip read every third frame gives the same curve) and gives
a label with hysteresis: it turns only when another answer's smoothed probability leads the one
shown by SWITCH_MARGIN, so it does not flicker when a face hovers between two.
"""
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..config import ANSWERS
from ..vision.boxes import Box, covered_share, crop

SMOOTHING_SECONDS = 0.5  # time constant: a change of expression shows in the smoothed answer within about a second
# the label turns only when another answer leads the one shown by this much (between two answers
# alone: when the smoothed probability crosses 50% by 10 points)
SWITCH_MARGIN = 0.2
LOST_SECONDS = 3.0  # a face unseen for up to this long keeps its number (hidden behind another for 2 s, and found again)
FULL_SEARCH_SECONDS = 0.25  # the whole frame is searched this often for faces coming in
WINDOW_SECONDS = 0.25  # a face missed for up to this long is still looked for where it should be, every frame
SAME_LOOK = 0.5  # appearance similarity from which a face coming back is taken for one lost
COVERED = 0.5  # a face whose box is covered by a nearer face's by more than this share gives no answer
SPEED_WEIGHT = 0.5  # how much each frame's motion moves the speed estimate


class SteadyAnswer:
    """One face's answer over time: its three probabilities (ANSWERS' order) smoothed exponentially,
    a label with hysteresis."""

    def __init__(self, time_constant=SMOOTHING_SECONDS, margin=SWITCH_MARGIN):
        self.time_constant, self.margin = time_constant, margin
        self.probabilities = self.time_s = self.label = None

    def update(self, probabilities, time_s: float) -> tuple[tuple, str]:
        """(smoothed probabilities, label) after this frame's answer at `time_s` seconds."""
        probabilities = np.asarray(probabilities, dtype=np.float64)
        if self.probabilities is None or self.time_constant <= 0:
            self.probabilities = probabilities
        else:  # the weight of the new answer grows with the time since the last one
            weight = 1 - math.exp(-max(0.0, time_s - self.time_s) / self.time_constant)
            self.probabilities = self.probabilities + weight * (probabilities - self.probabilities)
        self.time_s = time_s
        leader = int(np.argmax(self.probabilities))
        if self.label is None:
            self.label = leader
        elif self.probabilities[leader] - self.probabilities[self.label] >= self.margin - 1e-12:
            self.label = leader
        return tuple(map(float, self.probabilities)), ANSWERS[self.label]

    @property
    def confidence(self) -> float:
        """The smoothed probability of the label shown (not always the largest, inside the margin)."""
        return float(self.probabilities[self.label])


def appearance(image: Image.Image, box: Box) -> np.ndarray:
    """How a face looks, cheaply: its crop at 16x16 in gray (zero mean, unit length) and its colours
    (a 4x4x4 histogram of the crop, unit length), one vector; the dot product of two is their
    similarity, 1 for the same picture. Enough to tell two people in one scene apart, not to
    recognise anyone."""
    face = crop(image, box).convert("RGB").resize((16, 16), Image.BILINEAR)
    pixels = np.asarray(face, dtype=np.float32)
    gray = pixels.mean(axis=2).ravel()
    gray -= gray.mean()
    bins = (pixels // 64).astype(int)
    histogram = np.bincount((bins[..., 0] * 16 + bins[..., 1] * 4 + bins[..., 2]).ravel(), minlength=64)
    histogram = np.sqrt(histogram.astype(np.float32))
    parts = [gray / (np.linalg.norm(gray) or 1.0), histogram / (np.linalg.norm(histogram) or 1.0)]
    return np.concatenate(parts) / math.sqrt(2)


@dataclass
class Track:
    """One face followed: where it was last seen, how fast it moves, how it looks."""
    number: int
    box: Box
    seen_s: float
    look: np.ndarray
    speed: tuple = (0.0, 0.0)  # pixels per second, x and y
    frames: int = 0  # frames it was seen in

    def expected(self, time_s: float) -> Box:
        """Where the face should be at `time_s`: its last box moved on at its speed."""
        elapsed = time_s - self.seen_s
        return Box(round(self.box.x + self.speed[0] * elapsed), round(self.box.y + self.speed[1] * elapsed),
                   self.box.size, self.box.score)

    def similarity(self, look: np.ndarray) -> float:
        return float(self.look @ look)

    def seen(self, box: Box, time_s: float, look: np.ndarray | None):
        elapsed = time_s - self.seen_s
        if elapsed > 0 and self.frames:
            moved = ((box.x - self.box.x) / elapsed, (box.y - self.box.y) / elapsed)
            weight = SPEED_WEIGHT if self.frames > 1 else 1.0  # the first move sets the speed
            self.speed = tuple(s + weight * (m - s) for s, m in zip(self.speed, moved))
        self.box, self.seen_s, self.frames = box, time_s, self.frames + 1
        if look is not None and self.frames > 1:  # the look drifts slowly with the light and the pose
            mixed = 0.7 * self.look + 0.3 * look
            self.look = mixed / (np.linalg.norm(mixed) or 1.0)


class FaceTracks:
    """Face numbers over the frames of one video.

    Per frame: `to_look_for(time_s)` says which faces to look for, and where; the caller finds
    them (or not) and, when `full_search_due`, searches the whole frame; `update(image, time_s,
    near, anywhere)` takes what was found and returns [(number, box), ...] of the faces seen, in
    number order."""

    def __init__(self, lost_seconds=LOST_SECONDS, full_search_seconds=FULL_SEARCH_SECONDS):
        self.lost_seconds, self.full_search_seconds = lost_seconds, full_search_seconds
        self.tracks: list[Track] = []
        self._last_full_search = self._last_time = None
        self._next_number = 1

    def to_look_for(self, time_s: float) -> list:
        """[(track, expected box), ...] of the faces seen within WINDOW_SECONDS."""
        return [(t, t.expected(time_s)) for t in self.tracks if time_s - t.seen_s <= WINDOW_SECONDS]

    def full_search_due(self, time_s: float) -> bool:
        """Whether to search the whole frame now: every full_search_seconds, and at the first frame."""
        return self._last_full_search is None or time_s - self._last_full_search >= self.full_search_seconds - 1e-9

    def update(self, image: Image.Image, time_s: float, near: dict, anywhere=None) -> list:
        """`near`: {track number: Box or None} found where each face of to_look_for was expected;
        `anywhere`: [Box, ...] from a search of the whole frame, or None when there was none."""
        by_number = {t.number: t for t in self.tracks}
        if anywhere is not None:
            self._last_full_search = time_s
        elif any(box is None and by_number[n].seen_s == self._last_time for n, box in near.items()):
            self._last_full_search = None  # a face just lost: the next frame is searched whole
        self._last_time = time_s
        found = {number: box for number, box in near.items() if box is not None}
        looks = {}

        def look_of(number):  # computed only where it is needed: a claim to settle, a frame searched whole
            if number not in looks:
                looks[number] = appearance(image, seen[number] if number in seen else found[number])
            return looks[number]

        seen = {}
        # Two faces looked for found at one place: it is the one it looks more like.
        for a in list(found):
            for b in list(found):
                if a < b and a in found and b in found and covered_share(found[a], found[b]) > COVERED:
                    keep = a if by_number[a].similarity(look_of(a)) >= by_number[b].similarity(look_of(b)) else b
                    found.pop(b if keep == a else a)
        seen.update(found)
        # Faces anywhere else in the frame: one lost coming back (by its look), or a new face.
        for box in anywhere or []:
            if any(covered_share(box, other) > 0.3 or covered_share(other, box) > 0.3 for other in seen.values()):
                continue
            look = appearance(image, box)
            lost = [t for t in self.tracks if t.number not in seen and time_s - t.seen_s <= self.lost_seconds
                    and _plausible(t, box, time_s)]
            best = max(lost, key=lambda t: t.similarity(look), default=None)
            if best is not None and best.similarity(look) >= SAME_LOOK:
                number = best.number
            else:
                number = self._new_track(box, time_s, look)
            seen[number], looks[number] = box, look
        if anywhere is not None:  # each face's look brought up to date now and then
            for number in seen:
                look_of(number)
        # A face more than half covered by a bigger (nearer) one gives no answer this frame.
        covered = {a for a in seen for b in seen if a != b and seen[b].size >= seen[a].size
                   and covered_share(seen[a], seen[b]) > COVERED}
        by_number = {t.number: t for t in self.tracks}
        faces = []
        for number, box in seen.items():
            if number in covered:
                continue
            by_number[number].seen(box, time_s, looks.get(number))
            faces.append((number, box))
        self.tracks = [t for t in self.tracks if time_s - t.seen_s <= self.lost_seconds]
        return sorted(faces)

    def _new_track(self, box, time_s, look) -> int:
        number, self._next_number = self._next_number, self._next_number + 1
        self.tracks.append(Track(number, box, time_s, look, frames=0))
        return number


def _plausible(track: Track, box: Box, time_s: float) -> bool:
    """Whether a face lost at its last place could be at `box` now: within a few of its own sizes of
    where it should be, and of about its size."""
    expected = track.expected(time_s)
    distance = math.hypot(box.x - expected.x, box.y - expected.y)
    return distance <= 3 * track.box.size and 0.5 <= box.size / track.box.size <= 2
