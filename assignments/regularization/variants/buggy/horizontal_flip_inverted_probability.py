# question: horizontal_flip
# bug: flips when the random number is above p, so with probability 1 - p
def horizontal_flip(images, rng, p=0.5):
    flags = rng.random(images.shape[0]) > p
    flipped = images.copy()
    flipped[flags] = images[flags][:, :, :, ::-1]
    return flipped, flags
