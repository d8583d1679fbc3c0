# Writes the .npy files of TestReadNpyNumpyFiles with numpy.save:
#   /usr/bin/python3 make.py
import numpy as np

for name, shape in [("numpy_3x4.npy", (3, 4)), ("numpy_5.npy", (5,))]:
    a = (np.arange(np.prod(shape)) - 1.5).astype(np.float32).reshape(shape)
    np.save(name, a)
