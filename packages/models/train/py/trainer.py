"""Seeded PyTorch trainer for ConvLab's bundled models. Run through `npm run train -w @convlab/models -- <id>`.

Trains the small CNN on MNIST or Fashion-MNIST, then writes into <out>/:
  model.json + weights.bin (TF.js layers format, via tfjs_export.py), labels.json,
  parity.json (8 fixed test images + their PyTorch logits), samples.png + samples.json.
The card (card.md) is written afterwards by train/evaluate.mjs, which measures accuracy with TF.js.
"""
import argparse
import json
import os
import random
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idx import load_split  # noqa: E402
from tfjs_export import export_sequential  # noqa: E402
from adversarial import fgsm_rs, pgd, robust_accuracy  # noqa: E402

PARITY_INDICES = list(range(8))  # the first 8 images of the test set


def build_model():
    """conv1 3x3x16 same relu -> pool -> conv2 3x3x32 -> pool -> conv3 3x3x64 -> pool (3x3) -> flatten
    -> features dense 64 relu -> logits dense 10 (no softmax)."""
    return nn.Sequential(OrderedDict([
        ('conv1', nn.Conv2d(1, 16, 3, padding=1)), ('conv1_relu', nn.ReLU()),
        ('pool1', nn.MaxPool2d(2)),
        ('conv2', nn.Conv2d(16, 32, 3, padding=1)), ('conv2_relu', nn.ReLU()),
        ('pool2', nn.MaxPool2d(2)),
        ('conv3', nn.Conv2d(32, 64, 3, padding=1)), ('conv3_relu', nn.ReLU()),
        ('pool3', nn.MaxPool2d(2)),
        ('flatten', nn.Flatten()),
        ('features', nn.Linear(64 * 3 * 3, 64)), ('features_relu', nn.ReLU()),
        ('logits', nn.Linear(64, 10)),
    ]))


def seed_everything(seed, threads=2):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)


def shift_batch(x, rng, max_shift):
    """Random translation by up to max_shift px in each direction, zero fill. x: uint8 [B,28,28]."""
    if max_shift <= 0:
        return x
    b, hgt, wid = x.shape
    p = max_shift
    padded = np.pad(x, ((0, 0), (p, p), (p, p)))
    dy = rng.integers(0, 2 * p + 1, size=b)
    dx = rng.integers(0, 2 * p + 1, size=b)
    out = np.empty_like(x)
    for oy in range(2 * p + 1):
        for ox in range(2 * p + 1):
            sel = np.nonzero((dy == oy) & (dx == ox))[0]
            if sel.size:
                out[sel] = padded[sel, oy:oy + hgt, ox:ox + wid]
    return out


def to_input(x_uint8):
    """uint8 [B,28,28] -> float32 NCHW in [0,1] (pixel/255, no other normalisation)."""
    return torch.from_numpy(x_uint8.astype(np.float32) / 255.0).unsqueeze(1)


@torch.no_grad()
def predict_logits(model, images, batch=1000):
    model.eval()
    out = []
    for s in range(0, len(images), batch):
        out.append(model(to_input(images[s:s + batch])))
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--config', required=True)
    ap.add_argument('--data', required=True, help='folder with the four IDX files (plain or .gz)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--epochs', type=int, default=None, help='override the configured epoch count')
    ap.add_argument('--command', default='')
    ap.add_argument('--limit', type=int, default=None,
                    help='smoke test only: use the first N training and N test images')
    args = ap.parse_args()

    with open(args.config) as f:
        cfg = json.load(f)[args.model]
    seed = cfg['seed']
    epochs = args.epochs if args.epochs is not None else cfg['epochs']
    seed_everything(seed, cfg.get('threads', 2))
    rng = np.random.default_rng(seed)
    adv = cfg.get('adversarial')  # None for the clean models

    x_train, y_train = load_split(args.data, 'train')
    x_test, y_test = load_split(args.data, 't10k')
    if args.limit:
        x_train, y_train, x_test, y_test = x_train[:args.limit], y_train[:args.limit], x_test[:args.limit], y_test[:args.limit]
    if adv:
        # Hold out the last `validation` training images: robust accuracy on them picks the epoch to keep
        # (FGSM training can "catastrophically overfit": robust accuracy collapses within one epoch).
        nv = adv['validation']
        x_val, y_val = x_train[-nv:], y_train[-nv:]
        x_train, y_train = x_train[:-nv], y_train[:-nv]
        gen = torch.Generator().manual_seed(seed)
    print(f'[{args.model}] train {x_train.shape} test {x_test.shape}; seed {seed}; epochs {epochs}; '
          f'torch {torch.__version__}, {torch.get_num_threads()} threads', flush=True)

    model = build_model()
    n_params = sum(p.numel() for p in model.parameters())
    bs = cfg['batchSize']
    steps_per_epoch = (len(x_train) + bs - 1) // bs
    opt = torch.optim.Adam(model.parameters(), lr=cfg['learningRate'])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg['learningRate'] * 2,
                                                total_steps=epochs * steps_per_epoch, pct_start=0.15)
    y_train_t = torch.from_numpy(y_train.astype(np.int64))
    t0 = time.time()
    best = None
    history = []
    step = 0
    for epoch in range(epochs):
        model.train()
        te = time.time()
        order = rng.permutation(len(x_train))
        total_loss, correct = 0.0, 0
        for s in range(0, len(order), bs):
            idx = order[s:s + bs]
            xb = to_input(shift_batch(x_train[idx], rng, cfg.get('shift', 0)))
            yb = y_train_t[idx]
            if adv:
                # eps grows linearly from 0 to the training eps over the first `rampEpochs` epochs.
                ramp = min(1.0, (step + 1) / (adv['rampEpochs'] * steps_per_epoch)) if adv['rampEpochs'] else 1.0
                eps = adv['eps'] * ramp
                xb = fgsm_rs(model, xb, yb, eps, adv['alpha'] * ramp, generator=gen)
                step += 1
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
        test_acc = (predict_logits(model, x_test).argmax(1).numpy() == y_test).mean()
        extra = ''
        if adv:
            v = adv['validationAttack']
            val_rob, val_clean = robust_accuracy(model, x_val, y_val, adv['eps'], v['alpha'], v['steps'],
                                                 seed=seed + epoch, to_input=to_input)
            history.append({'epoch': epoch + 1, 'validationClean': round(val_clean, 4),
                            'validationRobust': round(val_rob, 4), 'testClean': round(float(test_acc), 4)})
            extra = f' val clean {val_clean:.4f} val PGD-{v["steps"]} {val_rob:.4f}'
            if epoch + 1 >= adv['rampEpochs'] and (best is None or val_rob >= best[1]):
                best = (epoch + 1, val_rob, {k: t.clone() for k, t in model.state_dict().items()})
        print(f'[{args.model}] epoch {epoch + 1}/{epochs}: loss {total_loss / len(order):.4f} '
              f'train acc {correct / len(order):.4f} test acc {test_acc:.4f}{extra} ({time.time() - te:.1f}s)',
              flush=True)
    train_seconds = time.time() - t0
    adv_meta = None
    if adv:
        if best is not None:
            model.load_state_dict(best[2])
            print(f'[{args.model}] keeping epoch {best[0]} (validation PGD accuracy {best[1]:.4f})', flush=True)
        ev = adv['evaluation']
        te = time.time()
        rob, _ = robust_accuracy(model, x_test, y_test, adv['eps'], ev['alpha'], ev['steps'], seed=seed,
                                 to_input=to_input)
        print(f'[{args.model}] PyTorch PGD-{ev["steps"]} (eps {adv["eps"]}, step {ev["alpha"]}, random start) '
              f'robust test accuracy {rob:.4f} ({time.time() - te:.0f}s)', flush=True)
        adv_meta = {
            'attack': 'FGSM with a random start (Wong, Rice & Kolter 2020)', 'eps': adv['eps'],
            'alpha': adv['alpha'], 'rampEpochs': adv['rampEpochs'], 'validation': adv['validation'],
            'keptEpoch': best[0] if best else epochs, 'history': history,
            'evaluation': {'attack': 'PGD, random start', 'eps': adv['eps'], 'alpha': ev['alpha'],
                           'steps': ev['steps'], 'pytorchRobustAccuracy': round(rob, 6)},
        }

    test_logits = predict_logits(model, x_test)
    test_acc = float((test_logits.argmax(1).numpy() == y_test).mean())
    print(f'[{args.model}] PyTorch test accuracy {test_acc:.4f}, {n_params} parameters, '
          f'{train_seconds:.0f}s training', flush=True)

    labels = cfg['labels']
    meta = {'convlab': {
        'name': args.model, 'labels': labels, 'inputRange': [0, 1], 'channels': 1,
        'inputSize': [28, 28], 'output': 'logits',
        'training': {
            'framework': f'PyTorch {torch.__version__}', 'seed': seed, 'epochs': epochs,
            'batchSize': bs, 'optimizer': f"Adam, one-cycle learning rate (max {cfg['learningRate'] * 2})",
            'augmentation': f"random shifts of up to ±{cfg.get('shift', 0)} px" if cfg.get('shift') else 'none',
            'pytorchTestAccuracy': round(test_acc, 6), 'testSetSize': int(len(y_test)),
            'trainSeconds': round(train_seconds), 'threads': torch.get_num_threads(),
            'command': args.command,
        },
    }}
    if adv_meta:
        meta['convlab']['training']['adversarial'] = adv_meta
    out = args.out
    summary = export_sequential(model, (28, 28, 1), out, args.model, meta)
    assert summary['params'] == n_params, (summary['params'], n_params)

    with open(os.path.join(out, 'labels.json'), 'w') as f:
        json.dump(labels, f)
        f.write('\n')

    # Parity batch: the TF.js model must reproduce these logits (max abs diff < 1e-4).
    pidx = PARITY_INDICES
    plogits = predict_logits(model, x_test[pidx]).numpy().astype(np.float32)
    parity = {
        'description': 'First 8 test images (uint8, row-major 28x28, white on black) and the PyTorch logits '
                       'for them; feed pixel/255 as NHWC [8,28,28,1].',
        'shape': [len(pidx), 28, 28, 1],
        'sourceIndices': pidx,
        'labels': [int(v) for v in y_test[pidx]],
        'images': [x_test[i].reshape(-1).tolist() for i in pidx],
        'logits': [[float(v) for v in row] for row in plogits],
        'tolerance': 1e-4,
    }
    with open(os.path.join(out, 'parity.json'), 'w') as f:
        json.dump(parity, f, separators=(',', ':'))
        f.write('\n')

    write_samples(out, x_test, y_test)
    print(f'[{args.model}] wrote {out}: {summary["params"]} params, weights.bin {summary["weightBytes"]} bytes',
          flush=True)


def write_samples(out, x_test, y_test, per_class=10, classes=10):
    """samples.png: a 10x10 sprite of 28x28 tiles, row k = the first 10 test images of class k."""
    from PIL import Image
    sheet = np.zeros((classes * 28, per_class * 28), dtype=np.uint8)
    labels, sources = [], []
    for k in range(classes):
        idx = np.nonzero(y_test == k)[0][:per_class]
        for j, i in enumerate(idx):
            sheet[k * 28:(k + 1) * 28, j * 28:(j + 1) * 28] = x_test[i]
            labels.append(k)
            sources.append(int(i))
    Image.fromarray(sheet, mode='L').save(os.path.join(out, 'samples.png'), optimize=True)
    with open(os.path.join(out, 'samples.json'), 'w') as f:
        json.dump({'tile': 28, 'columns': per_class, 'count': len(labels), 'labels': labels,
                   'sourceIndices': sources}, f)
        f.write('\n')


if __name__ == '__main__':
    main()
