"""The data room: import, download, FER+ votes, the data folder's layout. No TensorFlow."""
