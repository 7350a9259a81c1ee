"""The answering side: read pictures, find faces, classify them, draw the answers.

Nothing here imports TensorFlow (a test checks it): the saved model answers through LiteRT.
"""
