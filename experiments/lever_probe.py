"""Which training levers raise validation accuracy? The notebook's CNN re-built in PyTorch and
trained on a GPU, so that one lever costs a minute instead of two CPU hours. Validation only:
nothing here looks at holdout/.

    python benchmarks/lever_probe.py DATA.npz [--runs NAME,...] [--out results.jsonl] [--quick]

DATA.npz comes from `lever_data.py` (the notebook's own training/validation split, as the
model sees it: 48x48). Needs PyTorch (not in requirements.txt: this is a research probe for a
GPU machine, not part of the project). The recipe mirrors the notebook's: make_model's layers,
AdamW (decay 0.05), 2 warm-up epochs then cosine to zero from 1.5e-3, batch 64, label smoothing
0.1, balanced class weights, rotation/shift/zoom/mirror augmentation; scored with flip
averaging. It trains on bilinear-resized images only (no random resize filter), and scores the
last epoch, not the best one on validation. One JSON line per run: accuracy, macro-F1, sad
recall and log-loss on validation (all, FER2013 faces only, web crops only, and nearest-resized).
Runs on a GPU are not bit-reproducible: the same seed twice differed by 0.3 points.
lever_probe_results.jsonl holds the output of the two H200 runs made with the first version of
this script; it differed in one way: its mixup run also passed each unmixed batch through the
network (so BatchNorm's statistics saw it too), and its EMA run is named ema50-s1-raw/-ema.
"""
import argparse
import copy
import io
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


class Data:
    def __init__(self, path, limit=None):
        data = np.load(path)
        pixels = lambda x: torch.tensor(np.asarray(x[:limit]), dtype=torch.float32, device=DEVICE)[:, None] / 255
        labels = lambda y: torch.tensor(np.asarray(y[:limit]), dtype=torch.long, device=DEVICE)
        ends = np.cumsum(data["other_len"])
        blob = data["other_jpeg"].tobytes()
        other = np.stack([np.asarray(Image.open(io.BytesIO(blob[a:b]))) for a, b in zip(ends - data["other_len"], ends)])
        self.train_x, self.train_y = pixels(data["train_x"]), labels(data["train_y"])
        self.val_x, self.val_nearest_x, self.val_y = pixels(data["val_x"]), pixels(data["val_xn"]), labels(data["val_y"])
        self.val_is_fer = torch.tensor(data["val_fer"][:limit], device=DEVICE)
        # seven classes: happy 0, sad 1, then the other five emotions
        self.seven_x = torch.cat([self.train_x, pixels(other)])
        self.seven_y = torch.cat([self.train_y, labels(data["other_y"]) + 2])


class Net(nn.Module):
    """make_model's layers after its resize to 48x48."""
    def __init__(self, widths=(32, 64, 128, 256), outputs=1, dense=256, dropout=0.5):
        super().__init__()
        layers, channels = [], 1
        for index, width in enumerate(widths):
            for _ in range(2):
                layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False),
                           nn.BatchNorm2d(width, eps=1e-3, momentum=0.01), nn.ReLU(inplace=True)]
                channels = width
            if index < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(channels, dense), nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.out = nn.Linear(dense, outputs)

    def forward(self, x):
        return self.out(self.head(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1)))


def augment(x, generator):
    """The notebook's ImageDataGenerator: rotation 10 degrees, shifts and zoom 0.1, mirror, edge fill."""
    n = x.shape[0]
    uniform = lambda low, high: torch.rand(n, device=DEVICE, generator=generator) * (high - low) + low
    angle = uniform(-10, 10) * math.pi / 180
    zoom_x, zoom_y = uniform(0.9, 1.1), uniform(0.9, 1.1)
    shift_x, shift_y = uniform(-0.2, 0.2), uniform(-0.2, 0.2)  # grid units span [-1, 1]: 0.1 of the side
    mirror = torch.where(torch.rand(n, device=DEVICE, generator=generator) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos * zoom_x * mirror, -sin * zoom_y, shift_x], 1),
                         torch.stack([sin * zoom_x * mirror, cos * zoom_y, shift_y], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def learning_rate(step, total, warmup, peak):
    if step < warmup:
        return peak * step / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def train(model, x, y, epochs, seed, peak=1.5e-3, warmup_epochs=2, binary=True, mixup=0.0, ema=None,
          batch=64, weight_decay=0.05, smoothing=0.1):
    generator = torch.Generator(device=DEVICE).manual_seed(seed)
    draw = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak, weight_decay=weight_decay, eps=1e-7)
    steps_per_epoch = math.ceil(len(x) / batch)
    total, warmup = epochs * steps_per_epoch, warmup_epochs * steps_per_epoch
    class_weight = len(y) / (2 * torch.bincount(y, minlength=2)[:2].float())
    step = 0
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), device=DEVICE, generator=generator)
        for i in range(steps_per_epoch):
            index = order[i * batch:(i + 1) * batch]
            images, labels = augment(x[index], generator), y[index]
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, total, warmup, peak)
            if binary:
                target = labels.float() * (1 - smoothing) + 0.5 * smoothing
                weight = class_weight[labels]
                if mixup:
                    share, partner = float(draw.beta(mixup, mixup)), torch.randperm(len(images), device=DEVICE,
                                                                                     generator=generator)
                    images = share * images + (1 - share) * images[partner]
                    target = share * target + (1 - share) * target[partner]
                    weight = share * weight + (1 - share) * weight[partner]
                loss = (F.binary_cross_entropy_with_logits(model(images)[:, 0], target, reduction="none")
                        * weight).mean()
            else:
                loss = F.cross_entropy(model(images), labels, label_smoothing=smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if ema is not None:
                ema.update(model, step)
            step += 1
    return model


class WeightAverage:
    """An exponential moving average of the weights (BatchNorm statistics copied)."""
    def __init__(self, model, decay=0.999):
        self.model, self.decay = copy.deepcopy(model), decay

    @torch.no_grad()
    def update(self, model, step):
        decay = min(self.decay, (1 + step) / (10 + step))
        for average, weight in zip(self.model.parameters(), model.parameters()):
            average.mul_(decay).add_(weight.detach(), alpha=1 - decay)
        for average, buffer in zip(self.model.buffers(), model.buffers()):
            average.copy_(buffer)


@torch.no_grad()
def sad_logits(model, x, seven=False):
    """Flip-averaged logit of P(sad); a 7-class model's is z_sad - z_happy."""
    model.eval()
    logits = []
    for i in range(0, len(x), 1024):
        images = x[i:i + 1024]
        outputs = [model(images), model(torch.flip(images, dims=[3]))]
        logits.append(sum(o[:, 1] - o[:, 0] if seven else o[:, 0] for o in outputs) / 2)
    return torch.cat(logits)


def scores(logits, labels):
    predicted = (logits > 0).long()
    f1, sad_recall = [], 0.0
    for c in (0, 1):
        hits = ((predicted == c) & (labels == c)).sum().item()
        precision = hits / max(1, (predicted == c).sum().item())
        recall = hits / max(1, (labels == c).sum().item())
        f1.append(2 * precision * recall / max(1e-9, precision + recall))
        sad_recall = recall
    return {"acc": round((predicted == labels).float().mean().item(), 4), "macro_f1": round(sum(f1) / 2, 4),
            "sad_recall": round(sad_recall, 4),
            "loss": round(F.binary_cross_entropy_with_logits(logits, labels.float()).item(), 4)}


class Probe:
    def __init__(self, data, out, quick):
        self.data, self.out, self.quick, self.logits = data, out, quick, {}

    def epochs(self, n):
        return 1 if self.quick else n

    def report(self, name, model, started, images, seven=False):
        d = self.data
        z = self.logits[name] = sad_logits(model, d.val_x, seven)
        line = {"name": name, "seconds": round(time.time() - started, 1), "train_images": images,
                "params": sum(p.numel() for p in model.parameters()), "val": scores(z, d.val_y),
                "val_nearest": scores(sad_logits(model, d.val_nearest_x, seven), d.val_y),
                "val_fer": scores(z[d.val_is_fer], d.val_y[d.val_is_fer])}
        if (~d.val_is_fer).any():
            line["val_web"] = scores(z[~d.val_is_fer], d.val_y[~d.val_is_fer])
        self.write(line)

    def write(self, line):
        print(json.dumps(line), flush=True)
        if self.out:
            with open(self.out, "a") as handle:
                handle.write(json.dumps(line) + "\n")

    def binary(self, name, epochs, seed, net=None, **options):
        started, epochs = time.time(), self.epochs(epochs)
        model = Net(**(net or {})).to(DEVICE).to(memory_format=torch.channels_last)
        average = options.pop("ema", None) and WeightAverage(model)
        train(model, self.data.train_x, self.data.train_y, epochs, seed, ema=average, **options)
        self.report(name, model, started, epochs * len(self.data.train_x))
        if average:
            self.report(f"{name}-ema", average.model, started, epochs * len(self.data.train_x))

    def seven_then_binary(self, name, seven_epochs, binary_epochs, seed, binary_peak=5e-4):
        """7-class training on all FER2013 training faces, the softmax folded into one sigmoid logit
        (z_sad - z_happy), then fine-tuned on happy/sad."""
        d, started = self.data, time.time()
        seven_epochs, binary_epochs = self.epochs(seven_epochs), self.epochs(binary_epochs)
        model = Net(outputs=7).to(DEVICE).to(memory_format=torch.channels_last)
        train(model, d.seven_x, d.seven_y, seven_epochs, seed, binary=False)
        images = seven_epochs * len(d.seven_x)
        self.report(f"{name}-folded", model, started, images, seven=True)
        head = nn.Linear(model.out.in_features, 1).to(DEVICE)
        with torch.no_grad():
            head.weight.copy_(model.out.weight[1:2] - model.out.weight[0:1])
            head.bias.copy_(model.out.bias[1:2] - model.out.bias[0:1])
        model.out = head
        train(model, d.train_x, d.train_y, binary_epochs, seed, peak=binary_peak, warmup_epochs=1)
        self.report(f"{name}-finetuned", model, started, images + binary_epochs * len(d.train_x))

    def ensemble(self, name, members):
        z = sum(self.logits[m] for m in members) / len(members)
        d = self.data
        self.write({"name": name, "val": scores(z, d.val_y), "val_fer": scores(z[d.val_is_fer], d.val_y[d.val_is_fer])})


RUNS = {
    "binary50-s1": lambda p: p.binary("binary50-s1", 50, 1),
    "binary50-s2": lambda p: p.binary("binary50-s2", 50, 2),
    "binary50-ensemble2": lambda p: p.ensemble("binary50-ensemble2", ["binary50-s1", "binary50-s2"]),
    "seven30-ft15-s1": lambda p: p.seven_then_binary("seven30-ft15-s1", 30, 15, 1),
    "seven30-ft15-s2": lambda p: p.seven_then_binary("seven30-ft15-s2", 30, 15, 2),
    "seven15-ft10-s1": lambda p: p.seven_then_binary("seven15-ft10-s1", 15, 10, 1),
    "binary20-s1": lambda p: p.binary("binary20-s1", 20, 1),
    "binary25-s1": lambda p: p.binary("binary25-s1", 25, 1),
    "binary25-s2": lambda p: p.binary("binary25-s2", 25, 2),
    "binary25-ensemble2": lambda p: p.ensemble("binary25-ensemble2", ["binary25-s1", "binary25-s2"]),
    "binary100-s1": lambda p: p.binary("binary100-s1", 100, 1),
    "wide50-s1": lambda p: p.binary("wide50-s1", 50, 1, net=dict(widths=(48, 96, 192, 384))),
    "mixup50-s1": lambda p: p.binary("mixup50-s1", 50, 1, mixup=0.2),
    "ema50-s1": lambda p: p.binary("ema50-s1", 50, 1, ema=True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--runs", default=",".join(RUNS), help="comma-separated, from: " + ", ".join(RUNS))
    parser.add_argument("--out", help="also append the JSON lines to this file")
    parser.add_argument("--quick", action="store_true", help="600 images, one epoch a stage: a smoke test")
    args = parser.parse_args()
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    data = Data(args.data, limit=600 if args.quick else None)
    print(f"{DEVICE}: training {len(data.train_x)}, 7-class {len(data.seven_x)}, validation {len(data.val_x)}")
    probe = Probe(data, args.out, args.quick)
    for name in args.runs.split(","):
        RUNS[name](probe)


if __name__ == "__main__":
    main()
