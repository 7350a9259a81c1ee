"""Run inside a network namespace with only `lo` (tests/test_live.py): a server playing a clip with
--lsl, and an LSL inlet that resolves its stream, reads its channel names and a few samples. Prints
one JSON line."""
import json
import sys

import pylsl

from live_server import serving

with serving("--video", sys.argv[1], "--loop", "--lsl", "--lsl-faces", "2"):
    streams = pylsl.resolve_byprop("name", "happysad", timeout=30)
    if not streams:
        print(json.dumps({"error": "no stream resolved"}))
        sys.exit(1)
    inlet = pylsl.StreamInlet(streams[0])
    info = inlet.info(timeout=10)
    channel, labels = info.desc().child("channels").child("channel"), []
    while not channel.empty():
        labels.append(channel.child_value("label"))
        channel = channel.next_sibling()
    samples = []
    while len(samples) < 20:
        sample, stamp = inlet.pull_sample(timeout=30)
        if sample is None:
            break
        samples.append((stamp, sample))
    print(json.dumps({"type": info.type(), "channels": info.channel_count(), "labels": labels,
                      "layout": info.desc().child_value("layout"), "samples": samples, "now": pylsl.local_clock()}))
