"""The ground floor: pictures, boxes, the face detector and LiteRT, which every room builds on.
It imports nothing from data/, train/ or answer/, and never TensorFlow (LiteRT's own wheel; only
where ai-edge-litert has none does litert fall back on TensorFlow's copy of it)."""
