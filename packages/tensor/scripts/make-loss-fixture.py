"""Writes test/fixtures/detector-losses.json: torchvision's own detection losses on fixed inputs.

The RPN losses come from `RegionProposalNetwork.compute_loss` with its random fg/bg sampler replaced
by a fixed sampled set (the one written to the fixture), the head losses from
`roi_heads.fastrcnn_loss`, the regression targets from `BoxCoder.encode_single`. Run with Debian's
python3-torch:  /usr/bin/python3 packages/tensor/scripts/make-loss-fixture.py
"""
import json
import os
from types import SimpleNamespace

import torch
from torchvision.models.detection.rpn import RegionProposalNetwork
from torchvision.models.detection.roi_heads import fastrcnn_loss
from torchvision.models.detection._utils import BoxCoder

g = torch.Generator().manual_seed(12)
cases = []
for n_anchors, n_rois, k in [(40, 12, 4), (200, 30, 4), (7, 3, 3)]:
    objectness = torch.randn(n_anchors, generator=g) * 3
    deltas = torch.randn(n_anchors, 4, generator=g) * 0.5
    labels = torch.randint(-1, 2, (n_anchors,), generator=g).float()
    targets = torch.randn(n_anchors, 4, generator=g) * 0.5
    pos = torch.where(labels == 1)[0]
    neg = torch.where(labels == 0)[0]
    pos = pos[torch.randperm(len(pos), generator=g)[: max(1, len(pos) // 2)]].sort().values
    neg = neg[torch.randperm(len(neg), generator=g)[: max(1, len(neg) // 2)]].sort().values
    pos_mask = torch.zeros(n_anchors, dtype=torch.uint8)
    neg_mask = torch.zeros(n_anchors, dtype=torch.uint8)
    pos_mask[pos] = 1
    neg_mask[neg] = 1
    fake = SimpleNamespace(fg_bg_sampler=lambda _labels: ([pos_mask], [neg_mask]))
    obj_loss, rpn_box = RegionProposalNetwork.compute_loss(fake, objectness.view(-1, 1), deltas, [labels], [targets])

    logits = torch.randn(n_rois, k, generator=g) * 2
    box_reg = torch.randn(n_rois, 4 * k, generator=g) * 0.3
    roi_labels = torch.randint(0, k, (n_rois,), generator=g)
    roi_targets = torch.randn(n_rois, 4, generator=g) * 0.3
    cls_loss, head_box = fastrcnn_loss(logits, box_reg, [roi_labels], [roi_targets])
    cases.append({
        'objectness': objectness.tolist(), 'deltas': deltas.flatten().tolist(), 'labels': labels.tolist(),
        'targets': targets.flatten().tolist(), 'pos': pos.tolist(), 'neg': neg.tolist(),
        'rpnObjectness': obj_loss.item(), 'rpnBox': rpn_box.item(),
        'logits': logits.tolist(), 'boxRegression': box_reg.tolist(), 'roiLabels': roi_labels.tolist(),
        'roiTargets': roi_targets.tolist(), 'headClassifier': cls_loss.item(), 'headBox': head_box.item(),
    })

# BoxCoder with the head's weights (10, 10, 5, 5): the targets the head loss compares with.
coder = BoxCoder((10.0, 10.0, 5.0, 5.0))
gt = torch.tensor([[10.0, 12.0, 40.0, 50.0], [60.0, 60.0, 90.0, 80.0]])
rois = torch.tensor([[8.0, 10.0, 44.0, 48.0], [62.0, 58.0, 95.0, 83.0]])
encode = {'gt': gt.tolist(), 'rois': rois.tolist(), 'targets': coder.encode_single(gt, rois).tolist()}

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'detector-losses.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases, 'encode': encode}, f)
print('wrote', out, [(c['rpnObjectness'], c['rpnBox'], c['headClassifier'], c['headBox']) for c in cases])
