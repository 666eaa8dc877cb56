"""A tiny, untrained (seeded random) shapes detector with the same architecture as `shapes-detector`
but few channels, exported like the real one with torchvision's outputs for 4 test scenes:
packages/models/fixtures/detector-tiny/ (about 60 KB). The node test checks the TF.js pipeline
against it, so parity is tested without the trained weights.

  /usr/bin/python3 packages/models/train/py/make_detector_fixture.py --data DIR
(DIR/test/ written by `npm run scenes -w @convlab/scenes -- --split test --count 4 --out DIR`).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import detector_model as D  # noqa: E402

TINY = {'CHANNELS': 8, 'REPRESENTATION': 16, 'MASK_CHANNELS': 8}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', default=os.path.join(HERE, '..', '..', 'fixtures', 'detector-tiny'))
    args = ap.parse_args()
    for k, v in TINY.items():
        setattr(D, k, v)
    torch.manual_seed(20261201)
    model = D.build_detector()
    # Batch-norm statistics away from (0, 1), so that folding them into the convs is tested.
    for mod in model.backbone.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.1, 0.1)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.1, 0.1)
    # Larger RPN deltas than an untrained head gives, so that decoding and clipping matter.
    with torch.no_grad():
        model.rpn.head.bbox_pred.weight.mul_(20)
        model.roi_heads.box_predictor.bbox_pred.weight.mul_(20)
        # Spread class scores (no near-ties that float rounding could reorder) and mask logits (so
        # that some pasted masks pass 0.5 and the paste is compared).
        model.roi_heads.box_predictor.cls_score.weight.mul_(30)
        model.roi_heads.mask_predictor.mask_fcn_logits.weight.mul_(30)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, 'tiny.pt')
        torch.save(model.state_dict(), ckpt)
        env = {**os.environ, 'CONVLAB_DETECTOR_TINY': '1'}
        subprocess.run([sys.executable, os.path.join(HERE, 'export_detector.py'), '--ckpt', ckpt, '--out', args.out,
                        '--data', args.data, '--parity', '4'], check=True, env=env)


if __name__ == '__main__':
    main()
