#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""wmm-train and wmm-convert take the input scale of a Waymark dataset export
by default: X.npy holds int16 samples / 32768, and the device feeds the model
the int16 samples themselves, so the model file's in-scale must be the LSB
that manifest.json records (x.int16_lsb), not a value derived from the data.
An explicit --in-scale still wins; without a dataset, the old defaults hold.

Usage: test-convert-scale.py WAYMARK_CLI   (TAP on stdout)
"""

import json
import os
import shutil
import subprocess
import sys
import wave

import numpy as np

from taptest import check  # noqa: E402
import taptest  # noqa: E402

CLI = sys.argv[1]
TOOLS = os.path.join(os.environ["WAYMARK_SOURCE_ROOT"], "inference", "tools")
sys.path.insert(0, TOOLS)

import wmmref  # noqa: E402

RATE = 50
CHANNELS = 3
FRAMES = 6000
WINDOW = 16

def run(argv, status=0):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("WAYMARK_PROJECT", None)
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != status:
        raise SystemExit(f"{' '.join(argv)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def cli(*args):
    return run([CLI, *args]).stdout


def tool(name, *args):
    return run(["/usr/bin/python3", os.path.join(TOOLS, name), *args])


def in_scale_of(path):
    with open(path, "rb") as f:
        return wmmref.Model(f.read()).in_scale


def test(tmp):
    # Quiet int16 data (a tenth of full scale): a scale derived from its peak
    # would be about ten times too small for the device's samples.
    rng = np.random.default_rng(5)
    project = os.path.join(tmp, "p.waymark")
    cli("init", project)
    cli("-p", project, "classes", "add", "bump")
    for i in range(3):
        data = (rng.normal(0, 600, (FRAMES, CHANNELS))).astype(np.int16)
        path = os.path.join(tmp, f"r{i}.wav")
        with wave.open(path, "wb") as w:
            w.setnchannels(CHANNELS)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(data.astype("<i2").tobytes())
        cli("-p", project, "import", path)
        cli("-p", project, "labels", "add", f"r{i}", "1000", "2000", "bump")
    ds = os.path.join(tmp, "ds")
    cli("-p", project, "export", "--format", "dataset", "--output", ds, "--window", str(WINDOW),
        "--hop", "16", "--split", "2,1,0")
    lsb = json.load(open(os.path.join(ds, "manifest.json")))["x"]["int16_lsb"]
    check("the manifest records the LSB of int16 data", lsb == 1 / 32768, lsb)
    peak = float(np.abs(np.load(os.path.join(ds, "train", "X.npy"))).max())
    check("the data's peak is far below full scale (a derived scale would differ)", peak < 0.2, peak)

    train = ["--frontend", "sensor", "--rate", str(RATE), "--hidden", "4", "--epochs", "2", "--quiet"]
    state = os.path.join(tmp, "m.pt")
    out = tool("wmm-train", ds, *train, "-o", state).stdout
    import torch
    saved = torch.load(state, map_location="cpu")["frontend.in_scale"].numpy()
    check("wmm-train on a dataset directory: the state's in-scale is the manifest's LSB",
          np.all(saved == lsb) and "manifest.json" in out, (saved, out))

    x_only = os.path.join(tmp, "m-x.pt")
    tool("wmm-train", os.path.join(ds, "train", "X.npy"), "--labels", os.path.join(ds, "train", "y.npy"),
         *train, "-o", x_only)
    saved = torch.load(x_only, map_location="cpu")["frontend.in_scale"].numpy()
    check("wmm-train on a split's X.npy finds the manifest above it", np.all(saved == lsb), saved)

    outside = os.path.join(tmp, "elsewhere")
    os.mkdir(outside)
    for name in ("X.npy", "y.npy"):
        shutil.copy(os.path.join(ds, "train", name), outside)
    derived = os.path.join(tmp, "m-derived.pt")
    tool("wmm-train", os.path.join(outside, "X.npy"), "--labels", os.path.join(outside, "y.npy"),
         *train, "-o", derived)
    saved = torch.load(derived, map_location="cpu")["frontend.in_scale"].numpy()
    check("wmm-train without a dataset keeps its derived default (1.25 x peak / 32767)",
          np.allclose(saved, wmmref.default_in_scale("sensor", np.load(os.path.join(outside, "X.npy")))), saved)

    convert = ["--frontend", "sensor", "--rate", str(RATE), "--channels", str(CHANNELS),
               "--window", str(WINDOW), "--hop", "16", "--classes", "background,bump",
               "--name", "s", "--model-version", "1", "--variant", "int8"]
    model = os.path.join(tmp, "a.wmm")
    p = tool("wmm-convert", "--from-pytorch", state, *convert,
             "--calibration", os.path.join(ds, "train", "X.npy"), "-o", model)
    check("wmm-convert with calibration from the dataset: the model's in-scale is the LSB",
          np.all(in_scale_of(model) == lsb) and "in-scale 3.05175781e-05" in p.stdout, (in_scale_of(model), p.stdout))

    # A state trained with a derived scale (what happened before): the
    # dataset's LSB wins for the device, with a note.
    model = os.path.join(tmp, "b.wmm")
    p = tool("wmm-convert", "--from-pytorch", derived, *convert, "--dataset", ds, "-o", model)
    check("wmm-convert --dataset: the LSB wins over a state's derived scale, with a note",
          np.all(in_scale_of(model) == lsb) and "note" in p.stderr, (in_scale_of(model), p.stderr))

    model = os.path.join(tmp, "c.wmm")
    tool("wmm-convert", "--from-pytorch", derived, *convert, "-o", model)
    check("wmm-convert without a dataset: the state's scale, as before",
          np.allclose(in_scale_of(model), torch.load(derived, map_location="cpu")["frontend.in_scale"].numpy(),
                      rtol=1e-6), in_scale_of(model))

    model = os.path.join(tmp, "d.wmm")
    tool("wmm-convert", "--from-pytorch", state, *convert, "--dataset", ds, "--in-scale", "0.5", "-o", model)
    check("an explicit --in-scale wins", np.all(in_scale_of(model) == 0.5), in_scale_of(model))

    helps = tool("wmm-convert", "--help").stdout + tool("wmm-train", "--help").stdout
    check("--help of both tools says where the default scale comes from",
          helps.count("int16_lsb") >= 2 and "1/32768" in helps)


if __name__ == "__main__":
    sys.exit(taptest.main("waymark-convert-scale-", test))
