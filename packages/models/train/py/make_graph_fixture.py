"""A tiny, untrained (seeded random) GraphNet that uses every layer kind export_graph knows: 3x3
'same' convs, a strided 4x4 conv with padding 1 (Keras 'same' at stride 2), a 2x2 stride-2 conv, a
2x2 stride-2 transposed conv, a concatenation and an addition. Writes
packages/models/fixtures/graph-tiny/ (model.json, weights.bin and parity.json: a seeded 16x16x3
input and PyTorch's whole output), which test-node/fcn.test.mjs loads with TF.js.

  /usr/bin/python3 packages/models/train/py/make_graph_fixture.py
"""
import json
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tfjs_export import GraphNet, export_graph  # noqa: E402


def build():
    return GraphNet([
        ('c1', nn.Conv2d(3, 4, 3, padding=1), ['input'], True),          # 16x16x4
        ('d1', nn.Conv2d(4, 6, 4, stride=2, padding=1), ['c1'], True),  # 8x8x6
        ('d2', nn.Conv2d(6, 8, 2, stride=2), ['d1'], True),              # 4x4x8
        ('u2', nn.ConvTranspose2d(8, 5, 2, stride=2), ['d2'], True),     # 8x8x5
        ('cat', 'concat', ['u2', 'd1'], False),                          # 8x8x11 (u2's channels first)
        ('m1', nn.Conv2d(11, 4, 3, padding=1), ['cat'], True),
        ('u1', nn.ConvTranspose2d(4, 4, 2, stride=2), ['m1'], False),    # 16x16x4
        ('sum', 'add', ['u1', 'c1'], False),
        ('out', nn.Conv2d(4, 3, 3, padding=1), ['sum'], False),          # 16x16x3
    ])


def main():
    out = os.path.join(HERE, '..', '..', 'fixtures', 'graph-tiny')
    torch.manual_seed(20261214)
    model = build().eval()
    for p in model.parameters():  # larger biases than the default init, so that every ReLU cuts somewhere
        p.data.uniform_(-0.5, 0.5)
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(7))
    summary = export_graph(model, (16, 16, 3), out, 'graph_tiny', {'convlab': {'name': 'graph-tiny (untrained test fixture)'}})
    with torch.no_grad():
        y = model(x)
    with open(os.path.join(out, 'parity.json'), 'w') as f:
        json.dump({'input': x.permute(0, 2, 3, 1).reshape(-1).tolist(),
                   'inputShape': [1, 16, 16, 3],
                   'output': y.permute(0, 2, 3, 1).reshape(-1).tolist(), 'outputShape': [1, 16, 16, 3]}, f)
        f.write('\n')
    print(summary['params'], 'params;', [l['type'] for l in summary['layers']])


if __name__ == '__main__':
    main()
