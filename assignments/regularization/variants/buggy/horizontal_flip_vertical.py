# question: horizontal_flip
# bug: mirrors along H (upside down) instead of along W
def horizontal_flip(images, rng, p=0.5):
    flags = rng.random(images.shape[0]) < p
    flipped = images.copy()
    flipped[flags] = images[flags][:, :, ::-1, :]
    return flipped, flags
