#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""µs per window and per time step of Waymark's C LSTM (int8 and f32) against PyTorch.

For H=32 (1 layer) and H=64 (2 layers), 6 channels, windows of 50 steps, 4 classes: one
seeded reference module (nn.LSTM + nn.Linear head + softmax) is converted to int8 and f32
.wmm files and timed with wm-bench-lstm (one-shot windows, front-end included); the same
module is timed in PyTorch, single-threaded (torch.set_num_threads(1)), batch 1, eval mode,
no autograd, on windows of the same shape.  Prints a table and the ratios
PyTorch time / C time; goals: int8 >= 10x, f32 >= 5x.  Never fails on timing.

usage: bench-lstm.py WM_BENCH_LSTM [--windows N]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "..", "inference", "tools")

CHANNELS, WINDOW, CLASSES = 6, 50, 4
CONFIGS = [(32, 1), (64, 2)]
GOALS = {"int8": 10.0, "f32": 5.0}


class Reference(torch.nn.Module):
    def __init__(self, hidden, layers):
        super().__init__()
        self.lstm = torch.nn.LSTM(CHANNELS, hidden, num_layers=layers, batch_first=True)
        self.head = torch.nn.Linear(hidden, CLASSES)

    def forward(self, x):
        out, _ = self.lstm(x)
        return torch.softmax(self.head(out[:, -1, :]), dim=1)


def time_torch(module, windows):
    with torch.no_grad():
        for w in windows[:20]:
            module(w)
        start = time.perf_counter()
        for w in windows:
            module(w)
        return (time.perf_counter() - start) / len(windows) * 1e6


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bench", metavar="WM_BENCH_LSTM")
    p.add_argument("--windows", type=int, default=400, help="windows per measurement")
    args = p.parse_args()

    torch.set_num_threads(1)
    rng = np.random.default_rng(7)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for hidden, layers in CONFIGS:
            torch.manual_seed(hidden * 10 + layers)
            module = Reference(hidden, layers).eval()
            pt = os.path.join(tmp, "m.pt")
            torch.save(module.state_dict(), pt)
            cal = os.path.join(tmp, "cal.npy")
            X = rng.normal(0, 1, (args.windows, WINDOW, CHANNELS)).astype(np.float32)
            np.save(cal, X[:64])
            windows = [torch.from_numpy(X[i:i + 1]) for i in range(len(X))]
            torch_us = time_torch(module, windows)
            row = {"hidden": hidden, "layers": layers, "window": WINDOW,
                   "pytorch_us_per_window": torch_us}
            for variant in ("int8", "f32"):
                wmm = os.path.join(tmp, f"m-{variant}.wmm")
                subprocess.run([sys.executable, os.path.join(TOOLS, "wmm-convert"),
                                "--from-pytorch", pt, "--frontend", "sensor", "--rate", "50",
                                "--channels", str(CHANNELS), "--window", str(WINDOW),
                                "--hop", str(WINDOW), "--classes", "a,b,c,d", "--name", "bench",
                                "--model-version", "1", "--calibration", cal,
                                "--variant", variant, "-o", wmm],
                               check=True, stdout=subprocess.DEVNULL)
                count = args.windows * (20 if variant == "int8" else 10)
                r = subprocess.run([args.bench, wmm, str(count)], capture_output=True,
                                   text=True, check=True)
                c = json.loads(r.stdout)
                row[f"{variant}_us_per_window"] = c["us_per_window"]
                row[f"{variant}_ratio"] = torch_us / c["us_per_window"]
            results.append(row)

    print(f"{'model':<12} {'variant':<8} {'µs/window':>10} {'µs/step':>9} "
          f"{'PyTorch µs/window':>18} {'ratio':>7}  goal")
    for row in results:
        name = f"H={row['hidden']} L={row['layers']}"
        for variant in ("int8", "f32"):
            us = row[f"{variant}_us_per_window"]
            ratio = row[f"{variant}_ratio"]
            verdict = "met" if ratio >= GOALS[variant] else "MISSED"
            print(f"{name:<12} {variant:<8} {us:>10.2f} {us / WINDOW:>9.3f} "
                  f"{row['pytorch_us_per_window']:>18.2f} {ratio:>6.1f}x  "
                  f">= {GOALS[variant]:g}x {verdict}")
    print(f"(PyTorch {torch.__version__}, 1 thread, batch 1; PyTorch µs/step = "
          f"µs/window / {WINDOW})")
    print(json.dumps({"benchmark": "lstm-vs-pytorch", "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
