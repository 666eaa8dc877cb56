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
        if isinstance(mod, nn.Conv2d):
            if shape[0] != 'spatial':
                raise ValueError(f'{lname}: Conv2d after flatten')
            if mod.groups != 1 or _pair(mod.dilation) != (1, 1) or mod.padding_mode != 'zeros':
                raise ValueError(f'{lname}: groups/dilation/padding_mode not supported')
            kh, kw = _pair(mod.kernel_size)
            sh, sw = _pair(mod.stride)
            ph, pw = _pair(mod.padding) if not isinstance(mod.padding, str) else (None, None)
            if mod.padding == 'valid' or (ph, pw) == (0, 0):
                padding = 'valid'
                oh, ow = (shape[1] - kh) // sh + 1, (shape[2] - kw) // sw + 1
            elif (mod.padding == 'same' or (ph, pw) == ((kh - 1) // 2, (kw - 1) // 2)) \
                    and (sh, sw) == (1, 1) and kh % 2 == 1 and kw % 2 == 1:
                padding = 'same'
                oh, ow = shape[1], shape[2]
            else:
                raise ValueError(f'{lname}: padding {mod.padding} with stride {mod.stride} has no Keras equivalent')
            cfg = {'class_name': 'Conv2D', 'config': {
                'name': lname, 'trainable': True, 'dtype': 'float32',
                'filters': mod.out_channels, 'kernel_size': [kh, kw], 'strides': [sh, sw],
                'padding': padding, 'data_format': 'channels_last', 'dilation_rate': [1, 1],
                'activation': activation, 'use_bias': mod.bias is not None, **_initializers()}}
            weights.append((f'{lname}/kernel', _f32(mod.weight.permute(2, 3, 1, 0))))  # OIHW -> HWIO
            if mod.bias is not None:
                weights.append((f'{lname}/bias', _f32(mod.bias)))
            shape = ('spatial', oh, ow, mod.out_channels)
        elif isinstance(mod, nn.ConvTranspose2d):
            if shape[0] != 'spatial':
                raise ValueError(f'{lname}: ConvTranspose2d after flatten')
            kh, kw = _pair(mod.kernel_size)
            sh, sw = _pair(mod.stride)
            if mod.groups != 1 or _pair(mod.dilation) != (1, 1) or _pair(mod.padding) != (0, 0) \
                    or _pair(mod.output_padding) != (0, 0) or (kh, kw) != (sh, sw):
                raise ValueError(f'{lname}: only unpadded ConvTranspose2d with kernel == stride is supported')
            cfg = {'class_name': 'Conv2DTranspose', 'config': {
                'name': lname, 'trainable': True, 'dtype': 'float32',
                'filters': mod.out_channels, 'kernel_size': [kh, kw], 'strides': [sh, sw],
                'padding': 'valid', 'data_format': 'channels_last', 'dilation_rate': [1, 1],
                'activation': activation, 'use_bias': mod.bias is not None, **_initializers()}}
            # PyTorch [in, out, kh, kw] -> TF.js Conv2DTranspose [kh, kw, out, in]
            weights.append((f'{lname}/kernel', _f32(mod.weight.permute(2, 3, 1, 0))))
            if mod.bias is not None:
                weights.append((f'{lname}/bias', _f32(mod.bias)))
            shape = ('spatial', shape[1] * sh, shape[2] * sw, mod.out_channels)
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

    os.makedirs(out_dir, exist_ok=True)
    blob = b''.join(a.tobytes() for _, a in weights)
    with open(os.path.join(out_dir, 'weights.bin'), 'wb') as f:
        f.write(blob)
    model_json = {
        'format': 'layers-model',
        'generatedBy': GENERATED_BY,
        'convertedBy': CONVERTED_BY,
        'modelTopology': {
            'keras_version': '2.15.0',
            'backend': 'tensorflow',
            'model_config': {'class_name': 'Sequential', 'config': {'name': name, 'layers': layers}},
        },
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
    return {'layers': summary, 'params': int(sum(a.size for _, a in weights)), 'weightBytes': len(blob)}
