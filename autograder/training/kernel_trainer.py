"""The accuracy check's trainer, run inside the student's kernel (sent as source).

It keeps the training set on the device as uint8, does random crop (padding 4)
and horizontal flip per batch on the device, normalizes there, and drives the
student's ``make_optimizer`` and ``train_one_epoch`` with that loader. It never
sees a test label: the grader sends test images only and computes every
accuracy itself from the logits this code returns.
"""


def _autograder_training(student, inputs):  # noqa: C901 - one closure on purpose
    import contextlib
    import math
    import os
    import pickle
    import sys
    import time
    import types

    import numpy as np
    import torch

    state = sys.modules.get("_autograder_training")
    if state is None:
        state = types.ModuleType("_autograder_training")
        sys.modules["_autograder_training"] = state

    class Dataset:
        def __init__(self, n):
            self.n = n

        def __len__(self):
            return self.n

    class GpuLoader:
        """Batches of (images, labels), augmented and normalized on the device."""

        def __init__(self, x, y, batch_size, mean, std, channels_last, generator):
            self.x, self.y = x, y  # uint8 (N, 3, 32, 32), int64 (N,)
            self.batch_size = batch_size
            self.dataset = Dataset(len(x))
            self.mean = mean.view(1, 3, 1, 1)
            self.std = std.view(1, 3, 1, 1)
            self.channels_last = channels_last
            self.generator = generator
            self.base = torch.arange(32, device=x.device)

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __iter__(self):
            n, device = len(self.x), self.x.device
            order = torch.randperm(n, device=device, generator=self.generator)
            for start in range(0, n, self.batch_size):
                index = order[start : start + self.batch_size]
                yield self.augment(self.x[index]), self.y[index]

        def augment(self, batch):
            b = len(batch)
            padded = torch.nn.functional.pad(batch, (4, 4, 4, 4))  # zeros, like RandomCrop(32, 4)
            dy = torch.randint(0, 9, (b,), device=batch.device, generator=self.generator)
            dx = torch.randint(0, 9, (b,), device=batch.device, generator=self.generator)
            rows = (dy[:, None] + self.base[None, :])[:, None, :, None]
            cols = (dx[:, None] + self.base[None, :])[:, None, None, :]
            flip = torch.rand(b, device=batch.device, generator=self.generator) < 0.5
            cols = torch.where(
                flip[:, None, None, None], 31 + 2 * dx[:, None, None, None] - cols, cols
            )
            chans = torch.arange(3, device=batch.device)[None, :, None, None]
            crop = padded[
                torch.arange(b, device=batch.device)[:, None, None, None], chans, rows, cols
            ]
            return normalize(crop, self.mean, self.std, self.channels_last)

    def normalize(images, mean, std, channels_last):
        x = (images.float() / 255.0 - mean) / std
        return x.contiguous(memory_format=torch.channels_last) if channels_last else x

    def load_train(folder, limit):
        xs, ys = [], []
        for i in range(1, 6):
            path = os.path.join(folder, "cifar-10-batches-py", "data_batch_%d" % i)
            with open(path, "rb") as f:
                # the grader's own checksum-verified files, read-only in the sandbox; this runs
                # in the kernel, so nothing the grader's process loads is ever unpickled
                entry = pickle.load(f, encoding="latin1")
            xs.append(np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
            ys.append(np.asarray(entry.get("labels", entry.get("fine_labels")), dtype=np.int64))
            if limit and sum(len(x) for x in xs) >= limit:
                break
        x, y = np.concatenate(xs), np.concatenate(ys)
        return (x[:limit], y[:limit]) if limit else (x, y)

    def autocast(device, enabled):
        # cache_enabled=False: with the cache, autocast keeps the bfloat16 copy of every
        # weight until the outermost region ends, so a region around a whole epoch would
        # train every step of it with the weights the epoch started with
        if enabled:
            return torch.autocast(device.type, dtype=torch.bfloat16, cache_enabled=False)
        return contextlib.nullcontext()

    def sync(device):
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def weight_sample(model):
        """Up to 64 values of every trainable tensor, at fixed places: the grader compares
        them before and after training (a model that never changed learned nothing)."""
        values = []
        for p in model.parameters():
            if p.requires_grad and p.numel():
                flat = p.detach().reshape(-1)
                index = torch.linspace(0, flat.numel() - 1, min(64, flat.numel())).long()
                values.append(flat[index.to(flat.device)].float().cpu())
        return torch.cat(values).numpy() if values else np.zeros(0, np.float32)

    def first_conv_weights(model):
        for module in model.modules():
            if isinstance(module, torch.nn.Conv2d):
                return module.weight.detach().float().cpu().numpy()
        return None

    def probe():
        """Before any student code: can this kernel use the device it is to train on?"""
        device = torch.device(inputs["device"])
        if device.type != "cuda":
            return {"device_name": "CPU"}
        count = torch.cuda.device_count()
        if count < 1:
            raise RuntimeError("no CUDA device is visible in the sandbox")
        value = (torch.ones(4, device=device) * 2).sum().item()  # a tiny kernel launch
        if value != 8.0:
            raise RuntimeError("a CUDA kernel computed %r instead of 8.0" % value)
        return {"device_count": count, "device_name": torch.cuda.get_device_name(device)}

    def setup():
        device = torch.device(inputs["device"])
        if inputs.get("threads"):
            torch.set_num_threads(int(inputs["threads"]))
        if device.type == "cuda":
            # no benchmark: the algorithms it picks vary from run to run, and a result near
            # the bar must not change on a regrade
            torch.backends.cudnn.benchmark = False
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
            fraction = float(inputs.get("gpu_memory_fraction") or 0)
            if 0 < fraction < 1:
                torch.cuda.set_per_process_memory_fraction(fraction, device)
        torch.manual_seed(int(inputs["seed"]))
        names = inputs["names"]
        epochs, batch = student[names["epochs"]], student[names["batch_size"]]
        for name, value in ((names["epochs"], epochs), (names["batch_size"], batch)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TypeError("%s must be a positive int, not %r" % (name, value))
        lo, hi = int(inputs["batch_size_min"]), int(inputs["batch_size_max"])
        x, y = load_train(inputs["data_dir"], inputs.get("n_train"))
        generator = torch.Generator(device=device)
        generator.manual_seed(int(inputs["seed"]))
        mean = torch.tensor(inputs["mean"], device=device)
        std = torch.tensor(inputs["std"], device=device)
        model = student[names["model"]]().to(device)
        channels_last = bool(inputs["channels_last"])
        amp = bool(inputs["mixed_precision"])
        notes = []
        loader = GpuLoader(
            torch.from_numpy(x).to(device),
            torch.from_numpy(y).to(device),
            min(max(batch, lo), hi),
            mean,
            std,
            False,
            generator,
        )
        sample = loader.augment(loader.x[:2])
        if channels_last:
            try:
                model = model.to(memory_format=torch.channels_last)
                with torch.no_grad():
                    model.eval()
                    model(sample.contiguous(memory_format=torch.channels_last))
                loader.channels_last = True
            except Exception as error:  # noqa: BLE001 - the model does not allow it
                # back to the usual layout: weights left channels-last would make every
                # activation channels-last, and a forward that flattens with view() fails
                model = model.to(memory_format=torch.contiguous_format)
                channels_last = False
                notes.append(
                    "channels-last not used: the model's forward failed with it (%s)"
                    % _short(error)
                )
        if amp:
            try:
                with torch.no_grad(), autocast(device, True):
                    model.eval()
                    model(
                        sample.contiguous(memory_format=torch.channels_last)
                        if channels_last
                        else sample
                    )
            except Exception as error:  # noqa: BLE001
                amp = False
                notes.append(
                    "mixed precision not used: the model's forward failed with it (%s)"
                    % _short(error)
                )
        model.train()
        optimizer = student[names["optimizer"]](model)
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                "%s returned a %s, not a torch.optim.Optimizer"
                % (names["optimizer"], type(optimizer).__name__)
            )
        test = torch.from_numpy(inputs["test_images"]).to(device)
        plain = torch.from_numpy(inputs["plain_images"]).to(device)
        state.run = dict(
            device=device,
            model=model,
            optimizer=optimizer,
            loader=loader,
            amp=amp,
            test=test,
            plain=plain,
            criterion=torch.nn.CrossEntropyLoss(),
            train=student[names["train"]],
            mean=mean,
            std=std,
            channels_last=channels_last,
        )
        untrained = predict(False).argmax(1).astype(np.int64)  # before any training
        return {
            "untrained_predictions": untrained,
            "weights": weight_sample(model),
            "epochs_requested": int(epochs),
            "batch_size_requested": int(batch),
            "batch_size": loader.batch_size,
            "steps_per_epoch": len(loader),
            "n_train": len(x),
            "optimizer": type(optimizer).__name__,
            "parameters": int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
            "mixed_precision": "bfloat16" if amp else "off",
            "channels_last": channels_last,
            "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU",
            "notes": notes,
        }

    def predict(flip, which="test"):
        run = state.run
        model, device = run["model"], run["device"]
        was_training = model.training
        model.eval()
        out = []
        with torch.no_grad(), autocast(device, run["amp"]):
            for start in range(0, len(run[which]), 1000):
                images = run[which][start : start + 1000]
                if flip:
                    images = images.flip(-1)
                x = normalize(
                    images,
                    run["mean"].view(1, 3, 1, 1),
                    run["std"].view(1, 3, 1, 1),
                    run["channels_last"],
                )
                out.append(model(x).float())
        model.train(was_training)
        return torch.cat(out).cpu().numpy() if out else np.zeros((0, 0), np.float32)

    def epoch():
        run = state.run
        device = run["device"]
        sync(device)
        start = time.perf_counter()
        with autocast(device, run["amp"]):
            loss = run["train"](
                run["model"], run["loader"], run["criterion"], run["optimizer"], device
            )
        sync(device)
        seconds = time.perf_counter() - start
        try:
            loss = float(loss)
        except (TypeError, ValueError):
            loss = float("nan")
        logits = predict(False)
        return {"loss": loss, "seconds": seconds, "predictions": logits.argmax(1).astype(np.int64)}

    def final():
        run = state.run
        return {
            "logits": predict(False).astype(np.float32),
            "flipped_logits": predict(True).astype(np.float32),
            "plain_logits": predict(False, "plain").astype(np.float32),
            "weights": weight_sample(run["model"]),
            "filters": first_conv_weights(run["model"]),
        }

    def _short(error):
        text = "%s: %s" % (type(error).__name__, error)
        return text if len(text) <= 200 else text[:199] + "..."

    step = inputs["step"]
    if step == "probe":
        return probe()
    if step == "setup":
        return setup()
    if step == "epoch":
        return epoch()
    if step == "final":
        return final()
    raise ValueError(step)
