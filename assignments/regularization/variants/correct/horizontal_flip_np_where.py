# question: horizontal_flip
# style: np.where over the batch with a broadcast flag, flags from rng.uniform
import numpy as np


def horizontal_flip(images, rng, p=0.5):
    flags = rng.uniform(size=len(images)) < p
    return np.where(flags[:, None, None, None], images[..., ::-1], images), flags
