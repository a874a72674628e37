#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The C float path against PyTorch nn.LSTM: max |p_C - p_torch| <= 1e-5.

Random (seeded) weights for several shapes (1-3 layers, softmax and sigmoid, raw, sensor and
logmel front-ends) go through wmm-convert --variant f32; the C runtime (wmm-run) classifies
random windows; PyTorch evaluates the same module in float64 on the front-end features that
wmmref.py computes in float64 (FORMAT.md 4).
Also checks that wmmref's float reference agrees, and that the streaming path gives the
windows' probabilities too.  TAP output.

usage: test-float-torch.py WMM_RUN
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "inference", "tools")
sys.path.insert(0, TOOLS)

import wmmref  # noqa: E402

TOLERANCE = 1e-5

# name, front-end, channels, window, hidden, layers, classes, output, weight gain
SHAPES = [
    ("raw-h32", "raw", 3, 24, 32, 1, 4, "softmax", 1.0),
    ("sensor-h64x2", "sensor", 6, 32, 64, 2, 5, "softmax", 1.5),
    ("sensor-h16x3", "sensor", 4, 20, 16, 3, 3, "softmax", 2.0),
    ("raw-h8-sigmoid", "raw", 2, 16, 8, 1, 3, "sigmoid", 2.0),
    ("sensor-h128", "sensor", 8, 12, 128, 1, 10, "softmax", 1.0),
    ("logmel-h24", "logmel", 1, 12, 24, 1, 4, "softmax", 1.5),
]
LOGMEL = {"rate": 8000, "L": 128, "S": 64, "M": 10}


class Reference(torch.nn.Module):
    def __init__(self, n_in, hidden, layers, classes):
        super().__init__()
        self.lstm = torch.nn.LSTM(n_in, hidden, num_layers=layers, batch_first=True)
        self.head = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def main():
    wmm_run = sys.argv[1]
    convert = os.path.join(TOOLS, "wmm-convert")
    failures = 0
    print(f"1..{len(SHAPES)}")
    with tempfile.TemporaryDirectory() as tmp:
        for number, (name, kind, C, W, H, layers, K, output, gain) in enumerate(SHAPES, 1):
            torch.manual_seed(number)
            rng = np.random.default_rng(number)
            logmel = kind == "logmel"
            F = LOGMEL["M"] if logmel else C
            frames = (W - 1) * LOGMEL["S"] + LOGMEL["L"] if logmel else W
            # Back-to-back windows of the stream are windows of the model too.
            hop = W - 1 + LOGMEL["L"] // LOGMEL["S"] if logmel else W // 2
            module = Reference(F, H, layers, K)
            with torch.no_grad():
                for p in module.parameters():
                    p.mul_(gain)
            pt = os.path.join(tmp, name + ".pt")
            torch.save(module.state_dict(), pt)
            if logmel:
                t = np.arange(frames) / LOGMEL["rate"]
                f = rng.uniform(100, 3500, (64, 1, 1))
                X = (rng.uniform(0.05, 0.5, (64, 1, 1)) * np.sin(2 * np.pi * f * t[None, :, None])
                     + rng.normal(0, 0.05, (64, frames, 1))).astype(np.float32)
            else:
                offset = rng.normal(0, 2, C)
                spread = rng.uniform(0.5, 3, C)
                X = (offset + spread * rng.normal(0, 1, (64, W, C))).astype(np.float32)
            cal = os.path.join(tmp, name + "-cal.npy")
            np.save(cal, X)
            wmm = os.path.join(tmp, name + ".wmm")
            subprocess.run([sys.executable, convert, "--from-pytorch", pt, "--frontend", kind,
                            "--rate", str(LOGMEL["rate"] if logmel else 100), "--channels", str(C), "--window", str(W),
                            "--hop", str(hop),
                            "--classes", ",".join(f"c{k}" for k in range(K)),
                            "--name", name, "--model-version", "1", "--calibration", cal,
                            "--output", output, "--variant", "f32", "-o", wmm]
                           + (["--frame-length", str(LOGMEL["L"]), "--frame-step",
                               str(LOGMEL["S"]), "--mels", str(LOGMEL["M"])] if logmel else []),
                           check=True, stdout=subprocess.DEVNULL)
            model = wmmref.load(wmm)

            inp = os.path.join(tmp, name + ".f32")
            X.astype("<f4").tofile(inp)
            r = subprocess.run([wmm_run, wmm, inp], capture_output=True, text=True, check=True)
            p_c = np.array([[float(v) for v in line.split()] for line in r.stdout.splitlines()])

            # The front-end in float64 (wmmref, FORMAT.md 4), then the network in PyTorch.
            feats = wmmref.frontend_f32(model, X)
            with torch.no_grad():
                module64 = module.double()
                z = module64(torch.from_numpy(feats))
                p_t = (torch.sigmoid(z) if output == "sigmoid" else torch.softmax(z, dim=1)).numpy()
            p_ref = wmmref.run_f32(model, X)

            # The stream of all windows back to back must give the same probabilities.
            stream = os.path.join(tmp, name + "-stream.f32")
            X.reshape(-1, C).astype("<f4").tofile(stream)
            r = subprocess.run([wmm_run, "--stream", wmm, stream], capture_output=True,
                               text=True, check=True)
            rows = [line.split() for line in r.stdout.splitlines()]
            p_s = np.array([[float(v) for v in row[1:]] for row in rows
                            if int(row[0]) % frames == 0])

            err = float(np.abs(p_c - p_t).max())
            err_ref = float(np.abs(p_ref - p_t).max())
            ok = (p_c.shape == p_t.shape and err <= TOLERANCE and err_ref <= 1e-6
                  and p_s.shape == p_c.shape and np.array_equal(p_s, p_c))
            print(f"# {name}: {len(X)} windows of {W}x{C}, H={H}x{layers}: max |p_C - "
                  f"p_torch| = {err:.3g}, max |p_wmmref - p_torch| = {err_ref:.3g}")
            print(f"{'ok' if ok else 'not ok'} {number} - {name}")
            failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
