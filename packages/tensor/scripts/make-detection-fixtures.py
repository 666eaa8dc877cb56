#!/usr/bin/env python3
"""Writes test/fixtures/detection-parity.json: torchvision's outputs for the detection formulas of
@convlab/tensor (anchors, BoxCoder, box_iou, nms, batched_nms, roi_pool, roi_align, the RPN's anchor
labels) on fixed random inputs, which test/detection-parity.test.ts compares against on every backend.

Not run in CI (needs PyTorch): /usr/bin/python3 packages/tensor/scripts/make-detection-fixtures.py
Written with torch and torchvision as Debian ships them (python3-torch, python3-torchvision).
"""
import json
import math
import pathlib

import torch
import torchvision
from torchvision.models.detection._utils import BoxCoder, Matcher
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.ops import batched_nms, box_iou, nms, roi_align, roi_pool

torch.manual_seed(7)
out = {'torch': torch.__version__, 'torchvision': torchvision.__version__}


def boxes(n, lo=0.0, hi=60.0, min_size=2.0):
    xy = torch.rand(n, 2) * (hi - lo) + lo
    wh = torch.rand(n, 2) * 30 + min_size
    return torch.cat([xy, xy + wh], 1)


def L(t):
    return t.tolist()


# Anchors: torchvision's grid for a 3 x 4 feature map (strides 8, 6), sizes with .5 halves.
cases = []
for sizes, ratios, stride, fsize in [((16, 32, 64), (0.5, 1.0, 2.0), (8, 8), (3, 4)), ((13, 27, 45), (0.5, 1.0, 2.0, 3.0), (6, 8), (2, 3)), ((11,), (1.0, 0.25), (4, 4), (1, 2))]:
    g = AnchorGenerator((sizes,), (ratios,))
    a = g.grid_anchors([list(fsize)], [[torch.tensor(stride[0]), torch.tensor(stride[1])]])[0]
    cases.append({'sizes': sizes, 'ratios': ratios, 'stride': stride, 'featureSize': fsize, 'anchors': L(a)})
out['anchors'] = cases

# BoxCoder: encode gt against anchors, decode deltas (some past the clamp).
anchors = boxes(12)
gt = boxes(12)
deltas = torch.randn(12, 4)
deltas[0, 2] = 6.0
deltas[1, 3] = 9.0
deltas[2, 2] = -3.0
out['coder'] = []
for w in [(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)]:
    c = BoxCoder(w)
    out['coder'].append({'weights': w, 'anchors': L(anchors), 'gt': L(gt), 'encoded': L(c.encode_single(gt, anchors)), 'deltas': L(deltas), 'decoded': L(c.decode_single(deltas, anchors))})

a, b = boxes(6), boxes(5)
out['iou'] = {'a': L(a), 'b': L(b), 'iou': L(box_iou(a, b))}

# NMS: clustered boxes so that suppression happens; distinct scores (ties have no fixed order in torchvision).
centres = torch.tensor([[20.0, 20.0], [45.0, 30.0], [30.0, 50.0]])
nb = centres[torch.randint(0, 3, (40,))] + torch.randn(40, 2) * 4
wh = torch.rand(40, 2) * 10 + 12
nb = torch.cat([nb - wh / 2, nb + wh / 2], 1)
scores = torch.randperm(40).float() / 40 + torch.rand(40) * 0.01
classes = torch.randint(0, 3, (40,))
out['nms'] = {'boxes': L(nb), 'scores': L(scores), 'classes': L(classes), 'results': []}
for thr in (0.3, 0.5, 0.7):
    out['nms']['results'].append({'threshold': thr, 'keep': L(nms(nb, scores, thr)), 'batched': L(batched_nms(nb, scores, classes, thr))})

# RoI pooling and RoI Align on a [2, 3, 10, 12] map, written NHWC for TF.js.
feat = torch.randn(2, 3, 10, 12)
rois = torch.tensor([
    [0, 0.0, 0.0, 23.0, 19.0],
    [0, 3.3, 5.1, 13.7, 11.2],
    [1, 7.0, 2.0, 8.0, 3.0],
    [1, -4.0, -3.0, 5.0, 6.0],
    [0, 20.0, 15.0, 40.0, 30.0],
    [1, 1.0, 1.0, 1.4, 1.4],
    [0, 2.5, 3.5, 9.5, 12.5],
])
out['roi'] = {'features': L(feat.permute(0, 2, 3, 1)), 'rois': L(rois), 'pool': [], 'align': []}
for size, scale in [((3, 3), 0.5), ((2, 4), 0.5), ((4, 4), 1.0)]:
    out['roi']['pool'].append({'outputSize': size, 'spatialScale': scale, 'out': L(roi_pool(feat, rois, size, scale).permute(0, 2, 3, 1))})
for size, scale, ratio, aligned in [((3, 3), 0.5, -1, False), ((3, 3), 0.5, -1, True), ((2, 4), 0.5, 2, False), ((4, 4), 1.0, 1, True), ((2, 2), 0.25, -1, False)]:
    out['roi']['align'].append({'outputSize': size, 'spatialScale': scale, 'samplingRatio': ratio, 'aligned': aligned, 'out': L(roi_align(feat, rois, size, scale, ratio, aligned).permute(0, 2, 3, 1))})

# RPN anchor labels: Matcher(0.7, 0.3, allow_low_quality_matches=True) as assign_targets_to_anchors uses it.
g = AnchorGenerator(((16, 32),), ((0.5, 1.0, 2.0),))
an = g.grid_anchors([[6, 6]], [[torch.tensor(8), torch.tensor(8)]])[0]
gtb = torch.tensor([[4.0, 6.0, 30.0, 22.0], [20.0, 18.0, 44.0, 46.0], [40.0, 2.0, 47.0, 9.0]])
m = Matcher(0.7, 0.3, allow_low_quality_matches=True)
matched = m(box_iou(gtb, an))
labels = (matched >= 0).to(torch.float32)
labels[matched == -1] = 0.0
labels[matched == -2] = -1.0
out['match'] = {'anchors': L(an), 'gt': L(gtb), 'matches': L(matched), 'labels': L(labels)}

path = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'detection-parity.json'
path.write_text(json.dumps(out, separators=(',', ':')) + '\n')
print(f'wrote {path} ({path.stat().st_size} bytes)')
