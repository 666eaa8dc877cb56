"""Export `shapes-detector` (a torchvision MaskRCNN checkpoint, see detector_model.py) as four TF.js
layers models, and write the parity fixture.

  <out>/backbone/  128x128x3 -> 16x16x64 (batch norm folded into the convs)
  <out>/rpn/       16x16x64 -> 16x16x45: channels 0..8 objectness logits of the 9 anchors of a cell,
                   channels 9 + 4a .. 12 + 4a the deltas (dx, dy, dw, dh) of anchor a (RPNHead's two
                   1x1 convs merged into one)
  <out>/box/       7x7x64 (RoI pooled) -> 20: class logits (4), then per-class deltas (4 x 4)
  <out>/mask/      14x14x64 (RoI aligned) -> 28x28x4 mask logits per class
  <out>/detector.json  classes, anchors, strides, pool sizes, thresholds, box-coder weights
  <out>/parity.json    (--parity N) torchvision's anchors' objectness, proposals and detections for
                       the first N test scenes (regenerated from their seeds by @convlab/scenes)
"""
import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detector_model as D  # noqa: E402
from tfjs_export import export_sequential  # noqa: E402

if os.environ.get('CONVLAB_DETECTOR_TINY'):  # the test fixture of make_detector_fixture.py
    from make_detector_fixture import TINY  # noqa: E402
    for _k, _v in TINY.items():
        setattr(D, _k, _v)


def fold_bn(conv, bn):
    """Conv2d (no bias) followed by BatchNorm2d in eval mode -> one Conv2d with bias."""
    out = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding)
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    out.weight.data = conv.weight.detach() * scale[:, None, None, None]
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros_like(bn.running_mean)
    out.bias.data = (bias - bn.running_mean) * scale + bn.bias.detach()
    return out


def export_parts(model):
    bb = OrderedDict()
    for name, mod in model.backbone.named_children():
        if isinstance(mod, nn.Sequential):
            conv, bn, _ = list(mod)
            bb[name] = fold_bn(conv, bn)
            bb[f'{name}_relu'] = nn.ReLU()
        else:
            bb[name] = mod
    backbone = nn.Sequential(bb)

    head = model.rpn.head
    conv = head.conv[0][0] if isinstance(head.conv[0], nn.Sequential) else head.conv[0] if isinstance(head.conv, nn.Sequential) else head.conv
    merged = nn.Conv2d(D.CHANNELS, head.cls_logits.out_channels + head.bbox_pred.out_channels, 1)
    merged.weight.data = torch.cat([head.cls_logits.weight, head.bbox_pred.weight]).detach()
    merged.bias.data = torch.cat([head.cls_logits.bias, head.bbox_pred.bias]).detach()
    rpn = nn.Sequential(OrderedDict([('rpn_conv', conv), ('rpn_relu', nn.ReLU()), ('rpn_out', merged)]))

    bh, bp = model.roi_heads.box_head, model.roi_heads.box_predictor
    out = nn.Linear(D.REPRESENTATION, bp.cls_score.out_features + bp.bbox_pred.out_features)
    out.weight.data = torch.cat([bp.cls_score.weight, bp.bbox_pred.weight]).detach()
    out.bias.data = torch.cat([bp.cls_score.bias, bp.bbox_pred.bias]).detach()
    box = nn.Sequential(OrderedDict([('flatten', nn.Flatten()), ('fc6', bh.fc6), ('fc6_relu', nn.ReLU()),
                                     ('fc7', bh.fc7), ('fc7_relu', nn.ReLU()), ('box_out', out)]))

    mask = nn.Sequential(OrderedDict(list(model.roi_heads.mask_head.named_children())
                                     + list(model.roi_heads.mask_predictor.named_children())))
    return backbone.eval(), rpn.eval(), box.eval(), mask.eval()


def config():
    return {
        'name': 'shapes-detector-tiny (untrained test fixture)' if os.environ.get('CONVLAB_DETECTOR_TINY') else 'shapes-detector',
        'classes': D.CLASSES,
        'inputSize': [D.SIZE, D.SIZE],
        'inputRange': [0, 1],
        'channels': 3,
        'stride': D.STRIDE,
        'featureChannels': D.CHANNELS,
        'anchorSizes': list(D.ANCHOR_SIZES),
        'anchorRatios': list(D.ANCHOR_RATIOS),
        'rpn': {'preNmsTopN': D.RPN_PRE_NMS_TOP_N_TEST, 'postNmsTopN': D.RPN_POST_NMS_TOP_N_TEST,
                'nmsThreshold': D.RPN_NMS_THRESH, 'scoreThreshold': 0.0, 'minSize': 1e-3,
                'boxWeights': [1, 1, 1, 1]},
        'box': {'poolSize': D.BOX_POOL, 'scoreThreshold': D.BOX_SCORE_THRESH, 'nmsThreshold': D.BOX_NMS_THRESH,
                'detectionsPerImage': D.DETECTIONS_PER_IMG, 'minSize': 1e-2, 'boxWeights': [10, 10, 5, 5]},
        'mask': {'poolSize': D.MASK_POOL, 'samplingRatio': 2, 'outputSize': 2 * D.MASK_POOL, 'threshold': 0.5},
        'parts': {'backbone': 'backbone/model.json', 'rpn': 'rpn/model.json', 'box': 'box/model.json',
                  'mask': 'mask/model.json'},
    }


@torch.no_grad()
def parity(model, data_dir, count):
    """torchvision's own outputs for the first `count` test scenes (captured with forward hooks)."""
    images = np.load(os.path.join(data_dir, 'test', 'images.npy'), mmap_mode='r')
    seeds = np.load(os.path.join(data_dir, 'test', 'seeds.npy'))
    captured = {}
    hooks = [
        model.rpn.register_forward_hook(lambda m, i, o: captured.__setitem__('proposals', o[0][0])),
        model.rpn.head.register_forward_hook(lambda m, i, o: captured.__setitem__('objectness', o[0][0][0])),
    ]
    scenes = []
    for i in range(count):
        x = torch.from_numpy(np.ascontiguousarray(images[i])).permute(2, 0, 1).float() / 255
        det = model([x])[0]
        obj = captured['objectness'].permute(1, 2, 0).reshape(-1)  # (A, H, W) -> H, W, A order
        masks = det['masks'][:, 0] > 0.5
        scenes.append({
            'seed': int(seeds[i]),
            'objectness': [round(float(v), 6) for v in obj],
            'proposals': captured['proposals'].tolist(),
            'detections': [{'label': int(l), 'score': float(s), 'box': b.tolist(), 'maskArea': int(m.sum())}
                           for l, s, b, m in zip(det['labels'], det['scores'], det['boxes'], masks)],
        })
    for h in hooks:
        h.remove()
    return scenes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--data', required=True, help='directory holding test/ (for the parity scenes)')
    ap.add_argument('--parity', type=int, default=4)
    ap.add_argument('--train-log', default=None)
    args = ap.parse_args()
    torch.set_num_threads(2)

    model = D.build_detector()
    model.load_state_dict(torch.load(args.ckpt, map_location='cpu'))
    model.eval()
    backbone, rpn, box, mask = export_parts(model)

    # The folded and merged parts must compute what torchvision's modules compute.
    x = torch.rand(2, 3, D.SIZE, D.SIZE, generator=torch.Generator().manual_seed(1))
    f = model.backbone(x)
    assert torch.allclose(backbone(x), f, atol=1e-4), 'folded backbone differs'
    o, d = model.rpn.head([f])
    r = rpn(f)
    assert torch.allclose(r[:, :o[0].shape[1]], o[0], atol=1e-4) and torch.allclose(r[:, o[0].shape[1]:], d[0], atol=1e-4)

    cfg = config()
    summaries = {}
    hw = D.SIZE // D.STRIDE
    for name, seq, shape in [('backbone', backbone, (D.SIZE, D.SIZE, 3)), ('rpn', rpn, (hw, hw, D.CHANNELS)),
                             ('box', box, (D.BOX_POOL, D.BOX_POOL, D.CHANNELS)),
                             ('mask', mask, (D.MASK_POOL, D.MASK_POOL, D.CHANNELS))]:
        meta = {'convlab': {'name': f'shapes-detector/{name}', 'part': name}}
        summaries[name] = export_sequential(seq, shape, os.path.join(args.out, name), f'shapes_detector_{name}', meta)
        print(name, summaries[name]['params'], 'params', summaries[name]['weightBytes'], 'bytes')
    cfg['params'] = {k: v['params'] for k, v in summaries.items()}
    cfg['weightBytes'] = {k: v['weightBytes'] for k, v in summaries.items()}
    cfg['layers'] = {k: v['layers'] for k, v in summaries.items()}
    if args.train_log and os.path.exists(args.train_log):
        log = json.load(open(args.train_log))
        cfg['training'] = {k: log[k] for k in ('seed', 'scenes', 'epochs', 'epochsDone', 'batch', 'lr', 'optimizer',
                                               'augmentation', 'threads', 'torch', 'seconds', 'steps') if k in log}
        cfg['training']['finished'] = bool(log.get('finished'))
        cfg['training']['lastLosses'] = log['iterations'][-1] if log['iterations'] else None
        cfg['training']['firstLosses'] = log['iterations'][0] if log['iterations'] else None
    with open(os.path.join(args.out, 'detector.json'), 'w') as fh:
        json.dump(cfg, fh, indent=1)
        fh.write('\n')
    if args.parity:
        scenes = parity(model, args.data, args.parity)
        with open(os.path.join(args.out, 'parity.json'), 'w') as fh:
            json.dump({'torchvision': __import__('torchvision').__version__, 'split': 'test', 'scenes': scenes}, fh,
                      separators=(',', ':'))
            fh.write('\n')
        print('parity:', [len(s['detections']) for s in scenes], 'detections')


if __name__ == '__main__':
    main()
