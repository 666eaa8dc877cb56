"""Readers for the IDX files that MNIST and Fashion-MNIST ship in (plain or gzipped)."""
import gzip
import os
import struct

import numpy as np


def _open(path):
    if path.endswith('.gz'):
        return gzip.open(path, 'rb')
    return open(path, 'rb')


def read_idx(path):
    """Return the array stored in an IDX file (uint8 data only)."""
    with _open(path) as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file')
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f'{path}: expected {np.prod(dims)} values, found {arr.size}')
    return arr.reshape(dims)


def _find(folder, stem):
    for name in (stem, stem + '.gz'):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f'{stem}[.gz] not found in {folder}')


def load_split(folder, split):
    """split is 'train' or 't10k'. Returns (images uint8 [N,28,28], labels uint8 [N])."""
    images = read_idx(_find(folder, f'{split}-images-idx3-ubyte'))
    labels = read_idx(_find(folder, f'{split}-labels-idx1-ubyte'))
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f'{folder}: unexpected shapes {images.shape} / {labels.shape}')
    return images, labels
