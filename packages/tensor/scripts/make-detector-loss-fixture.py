"""Writes test/fixtures/detector-losses-tiny.json: torchvision's own four training losses of the tiny
untrained shapes detector (@convlab/models' fixtures/detector-tiny, rebuilt here from its seed exactly
as train/py/make_detector_fixture.py builds it) on one generated scene, with the anchors and RoIs its
random samplers drew, so that detectorLosses() can be run on the same sampled sets and compared.

Everything but the samplers is torchvision's code: AnchorGenerator, RegionProposalNetwork
(assign_targets_to_anchors, BoxCoder.encode, compute_loss), RoIHeads.select_training_samples (the
ground-truth boxes appended, Matcher(0.5, 0.5), BoxCoder (10, 10, 5, 5)), roi_pool, the box head and
fastrcnn_loss. The backbone stays in eval mode (batch norm with its running statistics, as exported).
Run with Debian's python3-torch from the repository root:
  /usr/bin/python3 packages/tensor/scripts/make-detector-loss-fixture.py
"""
import json
import os
import subprocess
import sys
from collections import OrderedDict

import torch
from torchvision.models.detection.rpn import concat_box_prediction_layers
from torchvision.models.detection.roi_heads import fastrcnn_loss

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'packages', 'models', 'train', 'py'))
import detector_model as D  # noqa: E402
from make_detector_fixture import TINY  # noqa: E402

SEED = 2000000  # the first test scene, whose objectness the tiny fixture's parity.json holds

for k, v in TINY.items():
    setattr(D, k, v)
# The tiny detector, built as make_detector_fixture.main() builds it (same seed, same changes).
torch.manual_seed(20261201)
model = D.build_detector()
for mod in model.backbone.modules():
    if isinstance(mod, torch.nn.BatchNorm2d):
        mod.running_mean.uniform_(-0.1, 0.1)
        mod.running_var.uniform_(0.5, 2.0)
        mod.weight.data.uniform_(0.5, 1.5)
        mod.bias.data.uniform_(-0.1, 0.1)
with torch.no_grad():
    model.rpn.head.bbox_pred.weight.mul_(20)
    model.roi_heads.box_predictor.bbox_pred.weight.mul_(20)
    model.roi_heads.box_predictor.cls_score.weight.mul_(30)
    model.roi_heads.mask_predictor.mask_fcn_logits.weight.mul_(30)
model.eval()

js = ("import { scene } from '@convlab/scenes'; const s = scene(%d); console.log(JSON.stringify({ image: Array.from(s.image), "
      "width: s.width, height: s.height, boxes: s.objects.map((o) => o.box), labels: s.objects.map((o) => o.label) }));" % SEED)
s = json.loads(subprocess.check_output(['node', '--input-type=module', '-e', js], cwd=ROOT))
x = torch.tensor(s['image'], dtype=torch.float32).view(s['height'], s['width'], 3).permute(2, 0, 1) / 255
target = {'boxes': torch.tensor(s['boxes'], dtype=torch.float32), 'labels': torch.tensor(s['labels'], dtype=torch.int64),
          'masks': torch.zeros(len(s['boxes']), s['height'], s['width'], dtype=torch.uint8)}


def recorder(sampler, into):
    def sample(labels):
        pos, neg = sampler(labels)
        into['pos'] = torch.where(pos[0])[0].tolist()
        into['neg'] = torch.where(neg[0])[0].tolist()
        return pos, neg
    return sample


torch.manual_seed(7)
with torch.no_grad():
    images, targets = model.transform([x], [target])
    feats = OrderedDict([('0', model.backbone(images.tensors))])
    levels = list(feats.values())
    rpn = model.rpn
    anchors = rpn.anchor_generator(images, levels)
    objectness, deltas = rpn.head(levels)
    check = objectness[0][0].permute(1, 2, 0).reshape(-1)
    parity = json.load(open(os.path.join(ROOT, 'packages', 'models', 'fixtures', 'detector-tiny', 'parity.json')))
    expected = next(p for p in parity['scenes'] if p['seed'] == SEED)['objectness']
    worst = max(abs(a - b) for a, b in zip(check.tolist(), expected))
    assert worst < 1e-4, f'the rebuilt tiny detector differs from the fixture: objectness off by {worst}'
    per_level = [o[0].numel() for o in objectness]
    objectness, deltas = concat_box_prediction_layers(objectness, deltas)
    proposals = rpn.box_coder.decode(deltas, anchors).view(1, -1, 4)
    boxes, _ = rpn.filter_proposals(proposals, objectness, images.image_sizes, per_level)  # eval: top 500, NMS, 100
    labels, matched = rpn.assign_targets_to_anchors(anchors, targets)
    reg_targets = rpn.box_coder.encode(matched, anchors)
    rpn_sample = {}
    rpn.fg_bg_sampler = recorder(rpn.fg_bg_sampler, rpn_sample)
    loss_objectness, loss_rpn_box_reg = rpn.compute_loss(objectness, deltas, labels, reg_targets)

    heads = model.roi_heads
    head_sample = {}
    heads.fg_bg_sampler = recorder(heads.fg_bg_sampler, head_sample)
    rois_all = torch.cat([boxes[0], targets[0]['boxes']])
    matched_idxs, roi_labels = heads.assign_targets_to_proposals([rois_all], [targets[0]['boxes']], [targets[0]['labels']])
    sampled, _, sampled_labels, sampled_targets = heads.select_training_samples(boxes, targets)
    pooled = heads.box_roi_pool(feats, sampled, images.image_sizes)
    class_logits, box_regression = heads.box_predictor(heads.box_head(pooled))
    loss_classifier, loss_box_reg = fastrcnn_loss(class_logits, box_regression, sampled_labels, sampled_targets)

out = {
    'torch': torch.__version__, 'seed': SEED,
    'rpnSample': rpn_sample, 'headSample': head_sample,
    'anchorLabels': labels[0].tolist(), 'roiLabels': roi_labels[0].tolist(), 'proposals': boxes[0].tolist(),
    'losses': {'rpnObjectness': loss_objectness.item(), 'rpnBox': loss_rpn_box_reg.item(),
               'headClassifier': loss_classifier.item(), 'headBox': loss_box_reg.item()},
}
path = os.path.join(ROOT, 'packages', 'tensor', 'test', 'fixtures', 'detector-losses-tiny.json')
with open(path, 'w') as fh:
    json.dump(out, fh)
print('wrote', path, out['losses'], len(rpn_sample['pos']), len(rpn_sample['neg']), len(head_sample['pos']), len(head_sample['neg']))
