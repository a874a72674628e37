#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The oracle for test-model-description: what a .wmm file holds, read by
inference/tools/wmmref.py (the independent NumPy reader of FORMAT.md) plus
the tensor table read here from FORMAT.md 2.4, printed as one JSON object.
Nothing here calls the C code.

usage: wmm-describe.py FILE.wmm
"""

import hashlib
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "inference", "tools"))
import wmmref  # noqa: E402

DTYPE_NAMES = {1: "int8", 2: "int16", 3: "int32", 4: "f32"}


def tensor_table(data):
    """FORMAT.md 2.4: the entries of the TENSORS section, in file order."""
    count = struct.unpack_from("<I", data, 12)[0]
    for i in range(count):
        typ, off, _length, _crc = struct.unpack_from("<IIII", data, 32 + 16 * i)
        if typ == wmmref.SEC_TENSORS:
            break
    else:
        raise SystemExit("no TENSORS section")
    out = []
    for t in range(struct.unpack_from("<I", data, off)[0]):
        e = off + 4 + 48 * t
        _kind, _layer, _gate, dtype, ndim = struct.unpack_from("<5B", data, e)
        dim0, dim1, scale, zp, _data_off, length = struct.unpack_from("<IIfiII", data, e + 8)
        name = data[e + 32:e + 48].split(b"\0", 1)[0].decode("ascii")
        out.append({"name": name, "dtype": DTYPE_NAMES[dtype], "ndim": ndim,
                    "dim0": dim0, "dim1": dim1, "scale": scale, "zero_point": zp,
                    "bytes": length})
    return out


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    m = wmmref.Model(data)
    inputs = [m.n_features] + m.hidden[:-1]
    print(json.dumps({
        "name": m.name, "version": m.model_version,
        "variant": {wmmref.VARIANT_INT8: "int8", wmmref.VARIANT_F32: "f32"}[m.variant],
        "sha256": hashlib.sha256(data).hexdigest(),
        "use_case": m.use_case, "device_types": m.device_types,
        "dataset_hash": m.dataset_hash, "created_at": m.created_at,
        "classes": m.classes,
        "output": {wmmref.OUTPUT_SOFTMAX: "softmax", wmmref.OUTPUT_SIGMOID: "sigmoid"}[m.output],
        "layers": [{"inputs": i, "hidden": h} for i, h in zip(inputs, m.hidden)],
        "frontend": m.frontend, "sample_rate": m.sample_rate, "channels": m.channels,
        "features": m.n_features, "window": m.window, "hop": m.hop,
        "frame_length": m.frame_length, "frame_step": m.frame_step,
        "window_frames": m.window_frames(), "hop_frames": m.hop_frames(),
        "size": m.size,
        "tensors": tensor_table(data),
    }))


main()
