#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Auto-label throughput with the demo models, against PyTorch.

  bench-autolabel.py WAYMARK_CLI SOURCE_ROOT WORK_DIR [--voice-minutes M] [--imu-minutes M]

Builds (once) a project with M minutes of demo voice audio (16 kHz) and of
demo IMU data (100 Hz, 6 channels), generated with another seed than the
demo's, then times `waymark-cli autolabel --jobs 1` and `--jobs 2` on fresh
copies of it.  The comparator runs the same number of windows through
PyTorch's nn.LSTM + Linear of the same shapes, single-threaded, batch 1, on
features already computed (which favours PyTorch).  Prints figures; asserts
nothing about time.
"""

import argparse
import statistics
import json
import os
import shutil
import subprocess
import sys
import time


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("source_root")
    ap.add_argument("work_dir")
    ap.add_argument("--voice-minutes", type=float, default=120)
    ap.add_argument("--imu-minutes", type=float, default=360)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    models = {
        "voice": os.path.join(args.source_root, "data/demo/models/voice-commands-int8.wmm"),
        "imu": os.path.join(args.source_root, "data/demo/models/imu-gestures-int8.wmm"),
    }
    for path in models.values():
        if not os.path.exists(path):
            sys.exit(f"bench-autolabel: {path} is missing (data/demo/make-models builds it)")

    os.makedirs(args.work_dir, exist_ok=True)
    base = os.path.join(args.work_dir, f"bench-autolabel-{args.voice_minutes:g}-{args.imu_minutes:g}.waymark")
    material = os.path.join(args.work_dir, "material")
    if not os.path.exists(base):
        run([os.path.join(args.source_root, "data/demo/generate"), "--seed", "5", "--out", material,
             "--voice-minutes", str(args.voice_minutes), "--imu-minutes", str(args.imu_minutes)])
        tmp = base + ".tmp"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(tmp + suffix):
                os.remove(tmp + suffix)
        run([args.cli, "init", tmp])
        run([args.cli, "-p", tmp, "import", os.path.join(material, "voice-commands.flac"),
             os.path.join(material, "imu-gestures.csv")])
        run([args.cli, "-p", tmp, "model", "import", models["voice"], models["imu"]])
        os.rename(tmp, base)

    recordings = {r["name"]: r for r in json.loads(run([args.cli, "-p", base, "list", "--json"]))}
    voice_hours = recordings["voice-commands"]["duration_s"] / 3600
    imu_days = recordings["imu-gestures"]["duration_s"] / 86400

    # Medians of --repeats runs, --jobs 1 and 2 taking turns, so that a busy
    # moment of the machine does not decide the speed-up.
    results = {}
    times = {}
    for _ in range(args.repeats):
        for kind, model_name, rec in (("voice", "voice-commands", "voice-commands"),
                                      ("imu", "imu-gestures", "imu-gestures")):
            for jobs in (1, 2):
                copy = os.path.join(args.work_dir, f"run-{kind}-{jobs}.waymark")
                shutil.copyfile(base, copy)
                start = time.monotonic()
                summary = json.loads(run([args.cli, "-p", copy, "autolabel", "--model", model_name,
                                          "--jobs", str(jobs), rec, "--json"]))
                times.setdefault((kind, jobs), []).append(time.monotonic() - start)
                results[(kind, jobs)] = (statistics.median(times[(kind, jobs)]), summary["windows"])
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(copy + suffix):
                        os.remove(copy + suffix)

    # The comparator: the same windows through PyTorch, one thread, batch 1.
    import torch
    torch.set_num_threads(1)
    torch_s = {}
    for kind in ("voice", "imu"):
        d = json.loads(run([args.cli, "model", "show", models[kind], "--json"]))
        layers = d["layers"]
        lstm = torch.nn.LSTM(layers[0]["inputs"], layers[0]["hidden"], num_layers=len(layers), batch_first=True)
        head = torch.nn.Linear(layers[-1]["hidden"], len(d["classes"]))
        x = torch.randn(1, d["frontend"]["window"], layers[0]["inputs"])
        n = 300
        with torch.no_grad():
            for _ in range(20):
                torch.softmax(head(lstm(x)[0][:, -1]), -1)
            start = time.monotonic()
            for _ in range(n):
                torch.softmax(head(lstm(x)[0][:, -1]), -1)
        per_window = (time.monotonic() - start) / n
        torch_s[kind] = per_window * results[(kind, 1)][1]

    v1, v2 = results[("voice", 1)][0], results[("voice", 2)][0]
    i1, i2 = results[("imu", 1)][0], results[("imu", 2)][0]
    print(f"voice: {voice_hours:.2f} h of 16 kHz audio, {results[('voice', 1)][1]} windows")
    print(f"  --jobs 1: {v1:.2f} s = {voice_hours / v1 * 60:.1f} h of audio per minute")
    print(f"  --jobs 2: {v2:.2f} s = {voice_hours / v2 * 60:.1f} h of audio per minute; speed-up {v1 / v2:.2f}x (goal >= 1.8)")
    print(f"  PyTorch, 1 thread, LSTM+head only: {torch_s['voice']:.2f} s; Waymark --jobs 1 is {torch_s['voice'] / v1:.1f}x faster (goal >= 5)")
    print(f"imu: {imu_days:.3f} days of 100 Hz 6-channel data, {results[('imu', 1)][1]} windows")
    print(f"  --jobs 1: {i1:.2f} s = {imu_days / i1 * 60:.2f} days per minute")
    print(f"  --jobs 2: {i2:.2f} s = {imu_days / i2 * 60:.2f} days per minute; speed-up {i1 / i2:.2f}x (goal >= 1.8)")
    print(f"  PyTorch, 1 thread, LSTM+head only: {torch_s['imu']:.2f} s; Waymark --jobs 1 is {torch_s['imu'] / i1:.1f}x faster (goal >= 5)")


if __name__ == "__main__":
    main()
