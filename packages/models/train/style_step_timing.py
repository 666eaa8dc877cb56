#!/usr/bin/env python3
"""Times one Gatys style-transfer step in PyTorch on this CPU, for the <gram-style> bench.

The network is the one <gram-style> builds in the page by default (see packages/tensor/src/style.ts,
RANDOM_VGG): VGG19's five blocks of 3x3 convolutions + ReLU, widths 16, 32, 64, 96, 96, two
convolutions per block, 2x2 average pooling, random weights (timing does not depend on their values).
One step = forward to block5_conv1, the style losses at block1..5_conv1 (Gram matrices, 1/(4 N^2 M^2)),
the content loss at block4_conv2, backward to the image, one Adam update: what the widget does per step.

Writes packages/gram-style/timing/pytorch-step.json: {size, threads, median_ms, p95_ms, runs, torch}.
Run: /usr/bin/python3 packages/models/train/style_step_timing.py [--size 256] [--runs 10] [--threads 1]
--threads sets torch's intra-op threads: give it the number TF.js computes with (the bench prints it;
1 for WASM without its threaded build), or the comparison is not like for like.
"""
import argparse
import json
import os
import platform
import statistics
import time

import torch
import torch.nn.functional as F

WIDTHS = [16, 32, 64, 96, 96]
DEPTHS = [2, 2, 2, 2, 2]
STYLE = ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1', 'block5_conv1']
CONTENT = 'block4_conv2'


def build(seed=1):
    g = torch.Generator().manual_seed(seed)
    layers = []
    cin = 3
    for b, (w, d) in enumerate(zip(WIDTHS, DEPTHS)):
        for i in range(d):
            k = torch.randn(w, cin, 3, 3, generator=g) * (2.0 / (9 * cin)) ** 0.5
            layers.append((f'block{b + 1}_conv{i + 1}', k))
            cin = w
        layers.append((f'block{b + 1}_pool', None))
    return layers


def features(layers, x, wanted):
    out = {}
    h = x - 0.5
    last = max(i for i, (n, _) in enumerate(layers) if n in wanted)
    for i, (name, k) in enumerate(layers[: last + 1]):
        h = F.relu(F.conv2d(h, k, padding=1)) if k is not None else F.avg_pool2d(h, 2)
        if name in wanted:
            out[name] = h
    return out


def gram(f):
    n = f.shape[1]
    m = f.reshape(n, -1)
    return m @ m.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', '..', 'gram-style', 'timing', 'pytorch-step.json'))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    layers = build()
    s = a.size
    content = torch.rand(1, 3, s, s)
    style = torch.rand(1, 3, s, s)
    wanted = set(STYLE + [CONTENT])
    with torch.no_grad():
        fs = features(layers, style, wanted)
        grams = {l: gram(fs[l]) for l in STYLE}
        p = features(layers, content, wanted)[CONTENT]
    x = content.clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=0.02)

    def step():
        opt.zero_grad()
        f = features(layers, x, wanted)
        ls = 0
        for l in STYLE:
            n = f[l].shape[1]
            m = f[l].shape[2] * f[l].shape[3]
            ls = ls + ((gram(f[l]) - grams[l]) ** 2).sum() / (4 * n * n * m * m) / len(STYLE)
        loss = 0.5 * ((f[CONTENT] - p) ** 2).sum() + 1e6 * ls
        loss.backward()
        opt.step()
        with torch.no_grad():
            x.clamp_(0, 1)
        return loss.item()

    for _ in range(2):
        step()
    times = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    res = {
        'what': 'one Adam step of Gatys style transfer, random VGG (widths 16-32-64-96-96, 2 convs per block), float32, CPU',
        'size': s,
        'threads': torch.get_num_threads(),
        'median_ms': statistics.median(times),
        'p95_ms': times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
        'runs': a.runs,
        'torch': torch.__version__,
        'load_average': os.getloadavg()[0],
        'cpu': platform.processor() or platform.machine(),
    }
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as fh:
        json.dump(res, fh, indent=2)
        fh.write('\n')
    print(json.dumps(res))


if __name__ == '__main__':
    main()
