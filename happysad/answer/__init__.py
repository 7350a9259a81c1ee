"""The answering side: classify faces as happy, sad or neither, in photos, videos and live, and
draw and table the answers. It builds on happysad.vision; nothing here imports TensorFlow (a test
checks it): the saved model answers through LiteRT.
"""
