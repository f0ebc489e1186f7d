# question: horizontal_flip
# bug: flips the caller's images in place and returns them
def horizontal_flip(images, rng, p=0.5):
    flags = rng.random(images.shape[0]) < p
    images[flags] = images[flags][:, :, :, ::-1]
    return images, flags
