"""ConvLab's own exporter: a PyTorch nn.Sequential -> TF.js LAYERS format (model.json + weights.bin).

Supported modules (in an nn.Sequential whose children carry the Keras layer names):
  nn.Conv2d        -> Conv2D   (padding 0 -> 'valid'; stride 1 with padding (k-1)/2 -> 'same')
  nn.ConvTranspose2d -> Conv2DTranspose (unpadded, kernel == stride: an exact k-fold upsampling)
  nn.ReLU          -> folded into the previous Conv2D/Dense as activation 'relu' (else an Activation layer)
  nn.MaxPool2d     -> MaxPooling2D ('valid', no ceil_mode, no dilation)
  nn.AdaptiveAvgPool2d(1) + nn.Flatten -> GlobalAveragePooling2D
  nn.Flatten       -> Flatten
  nn.Linear        -> Dense
  nn.Dropout       -> omitted (a no-op at inference)

Layouts: PyTorch activations are NCHW, TF.js NHWC. Conv kernels OIHW -> HWIO (weight.permute(2, 3, 1, 0)).
Dense kernels are transposed ([out, in] -> [in, out]). PyTorch's Flatten on NCHW orders features as
(c, h, w); Keras' Flatten on NHWC orders them as (h, w, c): the rows of the first Dense kernel after a
Flatten are permuted so that both models compute the same function.
"""
import json
import os

import numpy as np
import torch
from torch import nn

GENERATED_BY = f'PyTorch {torch.__version__}'
CONVERTED_BY = 'ConvLab tfjs_export.py 1.0'


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _initializers():
    return {
        'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}},
        'bias_initializer': {'class_name': 'Zeros', 'config': {}},
        'kernel_regularizer': None,
        'bias_regularizer': None,
        'activity_regularizer': None,
        'kernel_constraint': None,
        'bias_constraint': None,
    }


def _f32(t):
    return np.ascontiguousarray(t.detach().cpu().numpy().astype('<f4'))


def _conv_layer(lname, mod, shape, activation):
    """Conv2d / ConvTranspose2d on a ('spatial', H, W, C) input -> (Keras layer config, [(name, array)], output shape).

    Conv2d padding: 0 -> 'valid'; otherwise 'same' when Keras' 'same' pads exactly as PyTorch does:
    stride 1 with an odd kernel and padding (k - 1) / 2, or stride s > 1 with H and W divisible by s and
    2 p = k - s (Keras pads k - s in all, the smaller half at the top and left).
    """
    if shape[0] != 'spatial':
        raise ValueError(f'{lname}: {type(mod).__name__} after flatten')
    kh, kw = _pair(mod.kernel_size)
    sh, sw = _pair(mod.stride)
    weights = []
    if isinstance(mod, nn.Conv2d):
        if mod.groups != 1 or _pair(mod.dilation) != (1, 1) or mod.padding_mode != 'zeros':
            raise ValueError(f'{lname}: groups/dilation/padding_mode not supported')
        ph, pw = _pair(mod.padding) if not isinstance(mod.padding, str) else (None, None)
        if mod.padding == 'valid' or (ph, pw) == (0, 0):
            padding = 'valid'
            oh, ow = (shape[1] - kh) // sh + 1, (shape[2] - kw) // sw + 1
        elif (mod.padding == 'same' or (ph, pw) == ((kh - 1) // 2, (kw - 1) // 2)) \
                and (sh, sw) == (1, 1) and kh % 2 == 1 and kw % 2 == 1:
            padding = 'same'
            oh, ow = shape[1], shape[2]
        elif ph is not None and (2 * ph, 2 * pw) == (kh - sh, kw - sw) and shape[1] % sh == 0 and shape[2] % sw == 0:
            padding = 'same'
            oh, ow = shape[1] // sh, shape[2] // sw
        else:
            raise ValueError(f'{lname}: padding {mod.padding} with stride {mod.stride} has no Keras equivalent')
        class_name = 'Conv2D'
        # OIHW -> HWIO
        weights.append((f'{lname}/kernel', _f32(mod.weight.permute(2, 3, 1, 0))))
    else:
        if mod.groups != 1 or _pair(mod.dilation) != (1, 1) or _pair(mod.padding) != (0, 0) \
                or _pair(mod.output_padding) != (0, 0) or (kh, kw) != (sh, sw):
            raise ValueError(f'{lname}: only unpadded ConvTranspose2d with kernel == stride is supported')
        padding = 'valid'
        oh, ow = shape[1] * sh, shape[2] * sw
        class_name = 'Conv2DTranspose'
        # PyTorch [in, out, kh, kw] -> TF.js Conv2DTranspose [kh, kw, out, in]
        weights.append((f'{lname}/kernel', _f32(mod.weight.permute(2, 3, 1, 0))))
    if mod.bias is not None:
        weights.append((f'{lname}/bias', _f32(mod.bias)))
    cfg = {'class_name': class_name, 'config': {
        'name': lname, 'trainable': True, 'dtype': 'float32',
        'filters': mod.out_channels, 'kernel_size': [kh, kw], 'strides': [sh, sw],
        'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [1, 1],
        'activation': activation, 'use_bias': mod.bias is not None, **_initializers()}}
    return cfg, weights, ('spatial', oh, ow, mod.out_channels)


def export_sequential(model, input_shape, out_dir, name, metadata=None):
    """Write out_dir/model.json and out_dir/weights.bin.

    model: nn.Sequential (named children become Keras layer names).
    input_shape: (H, W, C) of the NHWC input.
    Returns a summary dict: layers, params, weight bytes.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError('export_sequential needs an nn.Sequential')
    model = model.eval()
    children = list(model.named_children())
    h, w, c = input_shape
    shape = ('spatial', h, w, c)  # or ('flat', n)
    pending_flatten = None  # (H, W, C) of the tensor that a Flatten just flattened
    layers = []
    weights = []  # (name, ndarray)
    summary = []
    i = 0
    while i < len(children):
        lname, mod = children[i]
        nxt = children[i + 1][1] if i + 1 < len(children) else None
        fuse_relu = isinstance(nxt, nn.ReLU)
        activation = 'relu' if fuse_relu else 'linear'
        cfg = None
        if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d)):
            cfg, ws, shape = _conv_layer(lname, mod, shape, activation)
            weights.extend(ws)
        elif isinstance(mod, nn.Linear):
            if shape[0] != 'flat' or shape[1] != mod.in_features:
                raise ValueError(f'{lname}: Linear expects a flat input of {mod.in_features}, has {shape}')
            wt = mod.weight.detach()
            if pending_flatten is not None:
                fh, fw, fc = pending_flatten
                # torch column index c*H*W + h*W + w  ->  keras row index h*W*C + w*C + c
                wt = wt.reshape(mod.out_features, fc, fh, fw).permute(0, 2, 3, 1).reshape(mod.out_features, -1)
                pending_flatten = None
            cfg = {'class_name': 'Dense', 'config': {
                'name': lname, 'trainable': True, 'dtype': 'float32', 'units': mod.out_features,
                'activation': activation, 'use_bias': mod.bias is not None, **_initializers()}}
            weights.append((f'{lname}/kernel', _f32(wt.t())))
            if mod.bias is not None:
                weights.append((f'{lname}/bias', _f32(mod.bias)))
            shape = ('flat', mod.out_features)
        elif isinstance(mod, nn.MaxPool2d):
            kh, kw = _pair(mod.kernel_size)
            sh, sw = _pair(mod.stride if mod.stride is not None else mod.kernel_size)
            if _pair(mod.padding) != (0, 0) or mod.ceil_mode or _pair(mod.dilation) != (1, 1):
                raise ValueError(f'{lname}: only unpadded, floor-mode max pooling is supported')
            cfg = {'class_name': 'MaxPooling2D', 'config': {
                'name': lname, 'trainable': True, 'dtype': 'float32', 'pool_size': [kh, kw],
                'strides': [sh, sw], 'padding': 'valid', 'data_format': 'channels_last'}}
            shape = ('spatial', (shape[1] - kh) // sh + 1, (shape[2] - kw) // sw + 1, shape[3])
            fuse_relu = False
        elif isinstance(mod, nn.AdaptiveAvgPool2d):
            if _pair(mod.output_size) != (1, 1) or not isinstance(nxt, nn.Flatten):
                raise ValueError(f'{lname}: only AdaptiveAvgPool2d(1) followed by Flatten is supported')
            cfg = {'class_name': 'GlobalAveragePooling2D', 'config': {
                'name': lname, 'trainable': True, 'dtype': 'float32', 'data_format': 'channels_last'}}
            shape = ('flat', shape[3])
            i += 1  # the Flatten is part of global pooling
            fuse_relu = False
        elif isinstance(mod, nn.Flatten):
            if shape[0] == 'spatial':
                if shape[1] * shape[2] > 1 and shape[3] > 1:
                    pending_flatten = shape[1:]
                shape = ('flat', shape[1] * shape[2] * shape[3])
            cfg = {'class_name': 'Flatten', 'config': {'name': lname, 'trainable': True, 'dtype': 'float32'}}
            fuse_relu = False
        elif isinstance(mod, nn.ReLU):
            cfg = {'class_name': 'Activation', 'config': {
                'name': lname, 'trainable': True, 'dtype': 'float32', 'activation': 'relu'}}
            fuse_relu = False
        elif isinstance(mod, nn.Dropout):
            fuse_relu = False
        else:
            raise TypeError(f'{lname}: {type(mod).__name__} is not supported by the exporter')
        if cfg is not None:
            if not layers:
                cfg['config']['batch_input_shape'] = [None, h, w, c]
            layers.append(cfg)
            summary.append({'name': lname, 'type': cfg['class_name'],
                            'output': [None, *shape[1:]],
                            'params': int(sum(a.size for n, a in weights if n.startswith(lname + '/'))),
                            'activation': cfg['config'].get('activation')})
        i += 2 if fuse_relu else 1
    if pending_flatten is not None:
        raise ValueError('Flatten of a spatial tensor must be followed by a Linear layer')

    blob = _write(out_dir, {'class_name': 'Sequential', 'config': {'name': name, 'layers': layers}}, weights, metadata)
    return {'layers': summary, 'params': int(sum(a.size for _, a in weights)), 'weightBytes': len(blob)}


def _write(out_dir, model_config, weights, metadata):
    """model.json (layers-model format, the given topology) + weights.bin (all weights, float32, in order)."""
    os.makedirs(out_dir, exist_ok=True)
    blob = b''.join(a.tobytes() for _, a in weights)
    with open(os.path.join(out_dir, 'weights.bin'), 'wb') as f:
        f.write(blob)
    model_json = {
        'format': 'layers-model',
        'generatedBy': GENERATED_BY,
        'convertedBy': CONVERTED_BY,
        'modelTopology': {'keras_version': '2.15.0', 'backend': 'tensorflow', 'model_config': model_config},
        'weightsManifest': [{
            'paths': ['weights.bin'],
            'weights': [{'name': n, 'shape': list(a.shape), 'dtype': 'float32'} for n, a in weights],
        }],
    }
    if metadata is not None:
        model_json['userDefinedMetadata'] = metadata
    with open(os.path.join(out_dir, 'model.json'), 'w') as f:
        json.dump(model_json, f, indent=1)
        f.write('\n')
    return blob


def fold_batchnorm(conv, bn):
    """Conv2d or ConvTranspose2d followed by BatchNorm2d (eval mode) -> one layer of the same kind with a
    bias: w' = w * gamma / sqrt(var + eps) per output channel, b' = (b - mean) * gamma / sqrt(var + eps) + beta."""
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros_like(bn.running_mean)
    if isinstance(conv, nn.ConvTranspose2d):
        out = nn.ConvTranspose2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride)
        out.weight.data = conv.weight.detach() * scale[None, :, None, None]  # [in, out, kh, kw]
    else:
        out = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding)
        out.weight.data = conv.weight.detach() * scale[:, None, None, None]  # [out, in, kh, kw]
    out.bias.data = (bias - bn.running_mean) * scale + bn.bias.detach()
    return out.eval()


class GraphNet(nn.Module):
    """A network as a list of named nodes, each applied to earlier nodes' outputs ('input' is the image):

        (name, op, inputs, relu)   op: nn.Conv2d | nn.ConvTranspose2d | 'add' | 'concat' (channels)

    `relu` applies a ReLU after the op. The last node is the output. export_graph writes it as a Keras
    functional model (InputLayer, Conv2D, Conv2DTranspose, Add, Concatenate), so skip connections
    survive the export.
    An op may also be nn.Sequential(conv, nn.BatchNorm2d) for training; `folded()` merges the batch norm
    into the conv for export.
    """

    def __init__(self, nodes):
        super().__init__()
        self.nodes = [(n, op if isinstance(op, str) else None, list(ins), bool(relu)) for n, op, ins, relu in nodes]
        self.ops = nn.ModuleDict({n: op for n, op, _, _ in nodes if isinstance(op, nn.Module)})

    def forward(self, x):
        v = {'input': x}
        for name, op, ins, relu in self.nodes:
            a = [v[i] for i in ins]
            if op == 'add':
                y = a[0]
                for t in a[1:]:
                    y = y + t
            elif op == 'concat':
                y = torch.cat(a, 1)
            else:
                y = self.ops[name](a[0])
            v[name] = torch.relu(y) if relu else y
        return v[self.nodes[-1][0]]

    def folded(self):
        """A copy (eval mode) in which every Sequential(conv, BatchNorm2d) op is one conv with a bias."""
        nodes = []
        for name, op, ins, relu in self.nodes:
            m = op if op is not None else self.ops[name]
            if isinstance(m, nn.Sequential):
                conv, bn = list(m)
                m = fold_batchnorm(conv, bn)
            nodes.append((name, m, ins, relu))
        return GraphNet(nodes).eval()


def export_graph(model, input_shape, out_dir, name, metadata=None):
    """Write a GraphNet as a TF.js functional layers model (model.json + weights.bin).

    Concatenation is along channels (PyTorch dim 1 = NHWC axis -1), so the channel order is kept.
    Returns a summary dict: layers (name, type, inputs, output shape, params), params, weight bytes.
    """
    if not isinstance(model, GraphNet):
        raise TypeError('export_graph needs a GraphNet')
    model = model.eval()
    h, w, c = input_shape
    shapes = {'input': ('spatial', h, w, c)}
    layers = [{'class_name': 'InputLayer', 'name': 'input', 'inbound_nodes': [],
               'config': {'batch_input_shape': [None, h, w, c], 'dtype': 'float32', 'sparse': False, 'name': 'input'}}]
    weights, summary = [], []
    for lname, op, ins, relu in model.nodes:
        activation = 'relu' if relu else 'linear'
        in_shapes = [shapes[i] for i in ins]
        if op is None:
            if len(ins) != 1:
                raise ValueError(f'{lname}: a layer takes one input')
            cfg, ws, shape = _conv_layer(lname, model.ops[lname], in_shapes[0], activation)
            weights.extend(ws)
        else:
            if len(ins) < 2 or any(s[1:3] != in_shapes[0][1:3] for s in in_shapes):
                raise ValueError(f'{lname}: {op} needs two or more inputs of one size, has {in_shapes}')
            if relu:
                raise ValueError(f'{lname}: no ReLU after {op} (put it on the next conv)')
            if op == 'add':
                if any(s != in_shapes[0] for s in in_shapes):
                    raise ValueError(f'{lname}: add needs equal shapes, has {in_shapes}')
                cfg = {'class_name': 'Add', 'config': {'name': lname, 'trainable': True, 'dtype': 'float32'}}
                shape = in_shapes[0]
            elif op == 'concat':
                cfg = {'class_name': 'Concatenate', 'config': {'name': lname, 'trainable': True, 'dtype': 'float32', 'axis': -1}}
                shape = (*in_shapes[0][:3], sum(s[3] for s in in_shapes))
            else:
                raise ValueError(f'{lname}: unknown op {op}')
        cfg['name'] = lname
        cfg['inbound_nodes'] = [[[i, 0, 0, {}] for i in ins]]
        layers.append(cfg)
        shapes[lname] = shape
        summary.append({'name': lname, 'type': cfg['class_name'], 'inputs': ins, 'output': [None, *shape[1:]],
                        'params': int(sum(a.size for n, a in weights if n.startswith(lname + '/'))),
                        'activation': cfg['config'].get('activation')})
    out = model.nodes[-1][0]
    topology = {'class_name': 'Model', 'config': {'name': name, 'layers': layers,
                                                  'input_layers': [['input', 0, 0]], 'output_layers': [[out, 0, 0]]}}
    blob = _write(out_dir, topology, weights, metadata)
    return {'layers': summary, 'params': int(sum(a.size for _, a in weights)), 'weightBytes': len(blob)}
