#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integer against float on demo-like data: top-class agreement >= 98 % (TAP).

Two seeded synthetic tasks like Waymark's demos -- IMU gestures (6 channels, sensor
front-end) and tones in noise (mono audio, logmel front-end) -- are trained with wmm-train,
converted to int8 and f32 with wmm-convert, and run by the C runtime (wmm-run) on held-out
windows that the device would see (int16 samples; the f32 variant gets the same samples
times in_scale).  Reports agreement, probability error and both accuracies; asserts the
agreement, that the float model learnt the task, and that the C int8 output equals
wmmref.py's on every window.

usage: test-int8-float.py WMM_RUN
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "inference", "tools")
sys.path.insert(0, TOOLS)
sys.path.insert(0, HERE)

import demodata  # noqa: E402
import wmmref  # noqa: E402

MIN_AGREEMENT = 0.98
MIN_FLOAT_ACCURACY = 0.90

TASKS = [
    # name, generator, classes, rate, window samples, train args, convert args
    ("imu-gestures", demodata.imu_gestures, demodata.IMU_CLASSES, 50, 64,
     ["--frontend", "sensor", "--hidden", "32", "--layers", "1", "--lr", "5e-3",
      "--epochs", "60", "--patience", "8"],
     ["--frontend", "sensor", "--channels", "6", "--window", "64", "--hop", "32"]),
    ("tones-in-noise", demodata.tones_in_noise, demodata.TONE_CLASSES, 8000, 1984,
     ["--frontend", "logmel", "--frame-length", "128", "--frame-step", "64", "--mels", "16",
      "--hidden", "16", "--layers", "1", "--epochs", "40", "--patience", "6"],
     ["--frontend", "logmel", "--channels", "1", "--window", "30", "--hop", "15"]),
]


def run_c(wmm_run, wmm, windows, dtype, tmp):
    path = os.path.join(tmp, "windows.bin")
    np.ascontiguousarray(windows).astype(dtype).tofile(path)
    r = subprocess.run([wmm_run, wmm, path], capture_output=True, text=True, check=True)
    return np.array([[float(v) for v in line.split()] for line in r.stdout.splitlines()])


def main():
    wmm_run = sys.argv[1]
    print(f"1..{3 * len(TASKS)}")
    n = 0
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, gen, classes, rate, samples, train_args, convert_args in TASKS:
            Xtr, ytr = gen(800, samples, rate, seed=11)
            Xte, yte = gen(500, samples, rate, seed=12)
            for split, X, y in (("train", Xtr, ytr), ("test", Xte, yte)):
                np.save(os.path.join(tmp, f"{name}-{split}-X.npy"), X)
                np.save(os.path.join(tmp, f"{name}-{split}-y.npy"), y)
            pt = os.path.join(tmp, name + ".pt")
            subprocess.run([sys.executable, os.path.join(TOOLS, "wmm-train"),
                            os.path.join(tmp, f"{name}-train-X.npy"),
                            "--labels", os.path.join(tmp, f"{name}-train-y.npy"),
                            "--classes", ",".join(classes), "--rate", str(rate),
                            "--seed", "3", "--quiet",
                            "-o", pt] + train_args,
                           check=True, stdout=subprocess.DEVNULL)
            cal = os.path.join(tmp, name + "-cal.npy")
            np.save(cal, Xtr[:300])
            wmm = {}
            for variant in ("int8", "f32"):
                wmm[variant] = os.path.join(tmp, f"{name}-{variant}.wmm")
                subprocess.run([sys.executable, os.path.join(TOOLS, "wmm-convert"),
                                "--from-pytorch", pt, "--rate", str(rate),
                                "--classes", ",".join(classes), "--name", name,
                                "--model-version", "1", "--calibration", cal,
                                "--variant", variant, "-o", wmm[variant]] + convert_args,
                               check=True, stdout=subprocess.DEVNULL)
            m8 = wmmref.load(wmm["int8"])
            fe = wmmref.Frontend(m8.frontend, rate, m8.in_scale, [0], [1])
            x16 = wmmref.quantize_input(fe, Xte)
            p8 = run_c(wmm_run, wmm["int8"], x16, "<i2", tmp) / 65536.0
            pf = run_c(wmm_run, wmm["f32"], x16 * m8.in_scale.astype(np.float32), "<f4", tmp)
            p8_ref = wmmref.run_int8(m8, x16) / 65536.0

            agree = float(np.mean(p8.argmax(1) == pf.argmax(1)))
            acc8 = float(np.mean(p8.argmax(1) == yte))
            accf = float(np.mean(pf.argmax(1) == yte))
            dp = np.abs(p8 - pf)
            print(f"# {name}: {len(yte)} held-out windows: top-class agreement "
                  f"{100 * agree:.2f}%, max |p_int8 - p_f32| {dp.max():.4f}, mean "
                  f"{dp.mean():.4f}; accuracy int8 {100 * acc8:.2f}%, f32 {100 * accf:.2f}%")
            for ok, what in ((agree >= MIN_AGREEMENT,
                              f"{name}: int8/f32 top-class agreement >= {100 * MIN_AGREEMENT:g}%"),
                             (accf >= MIN_FLOAT_ACCURACY,
                              f"{name}: f32 accuracy >= {100 * MIN_FLOAT_ACCURACY:g}%"),
                             (np.array_equal(p8, p8_ref),
                              f"{name}: C int8 equals wmmref.py on every window")):
                n += 1
                print(f"{'ok' if ok else 'not ok'} {n} - {what}")
                failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
