"""The mini Mask R-CNN of `shapes-detector`: torchvision's MaskRCNN class around a small backbone of ours.

  backbone   conv 3x3x16 -> pool -> conv 3x3x32 -> pool -> conv 3x3x48 -> pool -> conv 3x3x64
             (batch norm + ReLU after each conv while training; the norm is folded into the conv
             for export) -> stride 8, 64 channels: a 16 x 16 feature map for a 128 x 128 scene
  anchors    torchvision AnchorGenerator, sizes (16, 32, 64) x ratios (0.5, 1, 2) on that one map
  RPN        torchvision RPNHead (conv 3x3x64 + ReLU, 1x1 objectness (9), 1x1 deltas (36))
  box head   RoI *pooling* (torchvision.ops.roi_pool, 7 x 7, as the slides teach) -> flatten ->
             fc6 80 -> fc7 80 -> class logits (4) and per-class box deltas (16)
  mask head  RoIAlign (14 x 14, sampling ratio 2) -> 2 x conv 3x3x32 -> 2x up (transposed conv) ->
             1x1 conv per class (28 x 28 mask logits)

The image goes in as RGB in [0, 1] with no normalisation, at its own size (min = max size = 128).
"""
from collections import OrderedDict

import torch
from torch import nn
import torchvision
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.rpn import RPNHead
from torchvision.ops import MultiScaleRoIAlign, roi_pool, roi_align

CLASSES = ['background', 'circle', 'square', 'triangle']
SIZE = 128
STRIDE = 8
CHANNELS = 64
ANCHOR_SIZES = (16, 32, 64)
ANCHOR_RATIOS = (0.5, 1.0, 2.0)
BOX_POOL = 7
MASK_POOL = 14
REPRESENTATION = 80
MASK_CHANNELS = 32

# Inference settings (also the defaults of the TF.js pipeline).
RPN_PRE_NMS_TOP_N_TEST = 500
RPN_POST_NMS_TOP_N_TEST = 100
RPN_NMS_THRESH = 0.7
BOX_SCORE_THRESH = 0.05
BOX_NMS_THRESH = 0.5
DETECTIONS_PER_IMG = 20


def conv_bn(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


class Backbone(nn.Sequential):
    def __init__(self):
        layers = OrderedDict()
        chans = [3, 16, 32, 48, CHANNELS]
        for i in range(4):
            c = nn.Sequential(*conv_bn(chans[i], chans[i + 1]))
            layers[f'conv{i + 1}'] = c
            if i < 3:
                layers[f'pool{i + 1}'] = nn.MaxPool2d(2)
        super().__init__(layers)
        self.out_channels = CHANNELS


class BoxRoIPool(MultiScaleRoIAlign):
    """box_roi_pool for RoIHeads: torchvision.ops.roi_pool on the single feature map. (A subclass of
    MultiScaleRoIAlign only because torchvision's constructors check that type; forward is ours.)"""

    def __init__(self, output_size=BOX_POOL, spatial_scale=1.0 / STRIDE):
        super().__init__(['0'], output_size, 0)
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, features, proposals, image_shapes):
        return roi_pool(features['0'], proposals, self.output_size, self.spatial_scale)


class MaskRoIAlign(MultiScaleRoIAlign):
    """mask_roi_pool for RoIHeads: torchvision.ops.roi_align (aligned=False, sampling ratio 2), with a
    fixed scale (subclassing MultiScaleRoIAlign for torchvision's type check only)."""

    def __init__(self, output_size=MASK_POOL, spatial_scale=1.0 / STRIDE, sampling_ratio=2):
        super().__init__(['0'], output_size, sampling_ratio)
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio

    def forward(self, features, proposals, image_shapes):
        return roi_align(features['0'], proposals, self.output_size, self.spatial_scale,
                         self.sampling_ratio, aligned=False)


class BoxHead(nn.Module):
    """TwoMLPHead with our sizes: flatten -> fc6 -> ReLU -> fc7 -> ReLU."""

    def __init__(self):
        super().__init__()
        self.fc6 = nn.Linear(CHANNELS * BOX_POOL * BOX_POOL, REPRESENTATION)
        self.fc7 = nn.Linear(REPRESENTATION, REPRESENTATION)

    def forward(self, x):
        x = x.flatten(start_dim=1)
        return torch.relu(self.fc7(torch.relu(self.fc6(x))))


class BoxPredictor(nn.Module):
    def __init__(self, num_classes=len(CLASSES)):
        super().__init__()
        self.cls_score = nn.Linear(REPRESENTATION, num_classes)
        self.bbox_pred = nn.Linear(REPRESENTATION, num_classes * 4)

    def forward(self, x):
        return self.cls_score(x), self.bbox_pred(x)


def mask_head():
    return nn.Sequential(OrderedDict([
        ('mask_fcn1', nn.Conv2d(CHANNELS, MASK_CHANNELS, 3, padding=1)), ('relu1', nn.ReLU()),
        ('mask_fcn2', nn.Conv2d(MASK_CHANNELS, MASK_CHANNELS, 3, padding=1)), ('relu2', nn.ReLU()),
    ]))


def mask_predictor(num_classes=len(CLASSES)):
    return nn.Sequential(OrderedDict([
        ('conv5_mask', nn.ConvTranspose2d(MASK_CHANNELS, MASK_CHANNELS, 2, 2)), ('relu', nn.ReLU()),
        ('mask_fcn_logits', nn.Conv2d(MASK_CHANNELS, num_classes, 1)),
    ]))


def build_detector():
    anchors = AnchorGenerator(sizes=(ANCHOR_SIZES,), aspect_ratios=(ANCHOR_RATIOS,))
    rpn_head = RPNHead(CHANNELS, anchors.num_anchors_per_location()[0])
    model = MaskRCNN(
        Backbone(), num_classes=None,
        min_size=SIZE, max_size=SIZE, image_mean=[0.0, 0.0, 0.0], image_std=[1.0, 1.0, 1.0],
        rpn_anchor_generator=anchors, rpn_head=rpn_head,
        rpn_pre_nms_top_n_train=1000, rpn_pre_nms_top_n_test=RPN_PRE_NMS_TOP_N_TEST,
        rpn_post_nms_top_n_train=300, rpn_post_nms_top_n_test=RPN_POST_NMS_TOP_N_TEST,
        rpn_nms_thresh=RPN_NMS_THRESH, rpn_batch_size_per_image=256,
        box_roi_pool=BoxRoIPool(), box_head=BoxHead(), box_predictor=BoxPredictor(),
        box_score_thresh=BOX_SCORE_THRESH, box_nms_thresh=BOX_NMS_THRESH,
        box_detections_per_img=DETECTIONS_PER_IMG, box_batch_size_per_image=64,
        mask_roi_pool=MaskRoIAlign(), mask_head=mask_head(), mask_predictor=mask_predictor(),
    )
    return model


if __name__ == '__main__':
    m = build_detector()
    n = sum(p.numel() for p in m.parameters())
    print(m)
    print('params', n, 'bytes', 4 * n, torchvision.__version__)
