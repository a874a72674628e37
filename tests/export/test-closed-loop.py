#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The closed loop: label four IMU recordings, export them as a dataset,
train with wmm-train, convert with wmm-convert (int8), import the model, and
auto-label a fifth recording that was never exported.  The model's labels
must find the fifth recording's gestures: precision and recall at IoU >= 0.5
of at least 0.8 per class.

Usage: test-closed-loop.py WAYMARK_CLI   (TAP on stdout)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave

import numpy as np

CLI = sys.argv[1]
TOOLS = os.path.join(os.environ["WAYMARK_SOURCE_ROOT"], "inference", "tools")
RATE = 50
FRAMES = 15000
CHANNELS = 6
GESTURE = 128
WINDOW = 32
CLASSES = ["shake", "circle"]


def cli(*args):
    env = dict(os.environ, LC_ALL="C.UTF-8", WAYMARK_NO_PROGRESS="1")
    env.pop("WAYMARK_PROJECT", None)
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"waymark-cli {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def tool(name, *args):
    p = subprocess.run(["/usr/bin/python3", os.path.join(TOOLS, name), *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{name} {' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def make_recording(path, seed):
    """Noise with shakes (fast, on the accelerometer) and circles (slow, on the
    gyroscope) at random places; returns the gestures as (start, end, class)."""
    rng = np.random.default_rng(seed)
    data = rng.normal(0, 0.05, (FRAMES, CHANNELS))
    truth = []
    t = 200
    while t + GESTURE + 200 < FRAMES:
        t += int(rng.integers(150, 400))
        if t + GESTURE >= FRAMES:
            break
        k = int(rng.integers(0, 2))
        n = np.arange(GESTURE)
        if k == 0:
            data[t:t + GESTURE, 0:3] += np.sin(2 * np.pi * 8 * n / RATE)[:, None] * rng.uniform(0.6, 1.0)
        else:
            data[t:t + GESTURE, 3] += np.sin(2 * np.pi * 1.5 * n / RATE) * rng.uniform(0.6, 1.0)
            data[t:t + GESTURE, 4] += np.cos(2 * np.pi * 1.5 * n / RATE) * rng.uniform(0.6, 1.0)
        truth.append((t, t + GESTURE, CLASSES[k]))
        t += GESTURE
    pcm = np.clip(data * 16384, -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return truth


def iou(a, b):
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def main():
    tmp = tempfile.mkdtemp(prefix="waymark-closed-loop-")
    try:
        results = run(tmp)
    finally:
        shutil.rmtree(tmp)
    print(f"1..{len(results)}")
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name} # {detail}")
        failed += not ok
    return 1 if failed else 0


def run(tmp):
    project = os.path.join(tmp, "p.waymark")
    cli("init", project)
    for c in CLASSES:
        cli("-p", project, "classes", "add", c)
    truths = {}
    for i in range(5):
        name = f"imu{i}"
        truths[name] = make_recording(os.path.join(tmp, name + ".wav"), 100 + i)
        cli("-p", project, "import", os.path.join(tmp, name + ".wav"))
        if i < 4:
            for start, end, klass in truths[name]:
                cli("-p", project, "labels", "add", name, str(start), str(end), klass)

    ds = os.path.join(tmp, "ds")
    cli("-p", project, "export", "--format", "dataset", "--output", ds, "--recording", "imu0,imu1,imu2,imu3",
        "--window", str(WINDOW), "--hop", "8", "--background-ratio", "1", "--seed", "3", "--split", "3,1,0")
    manifest = json.load(open(os.path.join(ds, "manifest.json")))
    state = os.path.join(tmp, "m.pt")
    model = os.path.join(tmp, "m.wmm")
    # X holds int16 samples / 32768: both tools take that LSB from the
    # manifest by default (no --in-scale), as the device's samples need.
    tool("wmm-train", ds, "--frontend", "sensor", "--rate", str(RATE), "--hidden", "32",
         "--epochs", "30", "-o", state)
    tool("wmm-convert", "--from-pytorch", state, "--frontend", "sensor", "--rate", str(RATE),
         "--channels", str(CHANNELS), "--window", str(WINDOW), "--hop", "8",
         "--classes", ",".join(manifest["classes"]), "--name", "gestures", "--model-version", "1",
         "--calibration", os.path.join(ds, "train", "X.npy"), "--variant", "int8", "-o", model)
    cli("-p", project, "model", "import", model)
    cli("-p", project, "autolabel", "imu4", "--threshold", "0.8", "--class", "shake", "--class", "circle")

    labels = [l for l in json.loads(cli("-p", project, "labels", "list", "--json"))
              if l["recording"] == 5 and l["source"] == "model"]
    results = []
    for klass in CLASSES:
        found = [(l["start_frame"], l["end_frame"]) for l in labels if l["class"] == klass]
        truth = [(s, e) for s, e, k in truths["imu4"] if k == klass]
        hits = sum(1 for t in truth if any(iou(t, f) >= 0.5 for f in found))
        good = sum(1 for f in found if any(iou(t, f) >= 0.5 for t in truth))
        precision = good / len(found) if found else 0.0
        recall = hits / len(truth) if truth else 1.0
        results.append((f"held-out recording, {klass}: precision and recall >= 0.8 at IoU >= 0.5",
                        precision >= 0.8 and recall >= 0.8,
                        f"precision {precision:.2f} ({good}/{len(found)}), recall {recall:.2f} ({hits}/{len(truth)})"))
    return results


if __name__ == "__main__":
    sys.exit(main())
