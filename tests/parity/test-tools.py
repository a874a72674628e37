#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""wmm-convert and wmm-train as command-line tools (TAP).

- the Keras .npz layout converts to the same bytes as the equivalent PyTorch state_dict;
- output is deterministic for a fixed --created-at;
- the written file parses and carries the metadata given on the command line;
- bad arguments exit 2 with a message, bad input files exit 1 naming the file;
- wmm-train reads a dataset directory (manifest.json, X.npy, y.npy) and its state_dict
  carries the front-end, which wmm-convert picks up;
- --help documents the interface;
- a trained, converted model runs in the C runtime (WMM_RUN) as in wmmref.py.

usage: test-tools.py WMM_RUN
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "inference", "tools")
sys.path.insert(0, TOOLS)
sys.path.insert(0, HERE)

import demodata  # noqa: E402
import wmmref  # noqa: E402

CONVERT = os.path.join(TOOLS, "wmm-convert")
TRAIN = os.path.join(TOOLS, "wmm-train")
results = []


def check(ok, what, detail=""):
    results.append((bool(ok), what, detail))


def run(cmd):
    return subprocess.run([sys.executable] + cmd, capture_output=True, text=True)


def base_args(src_flag, src, out, variant="int8", cal=None):
    args = [CONVERT, src_flag, src, "--frontend", "sensor", "--rate", "50", "--channels", "3",
            "--window", "10", "--hop", "5", "--classes", "a,b,c", "--name", "tools",
            "--model-version", "2.1", "--use-case", "testing", "--device-types", "x,y",
            "--created-at", "2026-11-25T12:00:00Z", "--variant", variant, "-o", out]
    return args + (["--calibration", cal] if cal else [])


def main():
    wmm_run = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(5)
        lstm = torch.nn.LSTM(3, 8, num_layers=2, batch_first=True)
        head = torch.nn.Linear(8, 3)
        state = {f"lstm.{k}": v for k, v in lstm.state_dict().items()}
        state.update({f"head.{k}": v for k, v in head.state_dict().items()})
        pt = os.path.join(tmp, "m.pt")
        torch.save(state, pt)
        npz = {}
        for k in range(2):
            npz[f"kernel_{k}"] = state[f"lstm.weight_ih_l{k}"].numpy().T
            npz[f"recurrent_kernel_{k}"] = state[f"lstm.weight_hh_l{k}"].numpy().T
            # Keras has one bias: the sum, in float64 as wmm-convert forms it.
            npz[f"bias_{k}"] = (state[f"lstm.bias_ih_l{k}"].double()
                                + state[f"lstm.bias_hh_l{k}"].double()).numpy()
        npz["head_kernel"] = state["head.weight"].numpy().T
        npz["head_bias"] = state["head.bias"].numpy()
        npz_path = os.path.join(tmp, "m.npz")
        np.savez(npz_path, **npz)
        rng = np.random.default_rng(2)
        cal = os.path.join(tmp, "cal.npy")
        np.save(cal, rng.normal(1, 2, (50, 10, 3)).astype(np.float32))

        outs = {}
        for name, flag, src in (("pt", "--from-pytorch", pt), ("npz", "--from-npz", npz_path),
                                ("pt2", "--from-pytorch", pt)):
            for variant in ("int8", "f32"):
                out = os.path.join(tmp, f"{name}-{variant}.wmm")
                r = run(base_args(flag, src, out, variant, cal))
                check(r.returncode == 0, f"convert {name} {variant}", r.stderr)
                outs[(name, variant)] = open(out, "rb").read() if r.returncode == 0 else b""
        for variant in ("int8", "f32"):
            check(outs[("pt", variant)] == outs[("pt2", variant)],
                  f"{variant}: the same input converts to the same bytes")
            check(outs[("pt", variant)] == outs[("npz", variant)],
                  f"{variant}: Keras .npz layout gives the same bytes as the state_dict")
        m = wmmref.Model(outs[("pt", "int8")])
        check((m.name, m.model_version, m.use_case, m.device_types, m.created_at, m.classes,
               m.n_layers, m.hidden, m.window, m.hop) ==
              ("tools", "2.1", "testing", "x,y", "2026-11-25T12:00:00Z", ["a", "b", "c"],
               2, [8, 8], 10, 5), "metadata and shapes as given")
        r = run(base_args("--from-pytorch", pt, os.path.join(tmp, "x.wmm"), "int8", cal))
        check("top-class agreement" in r.stdout, "int8 prints its agreement with float",
              r.stdout)

        # Bad arguments: exit 2 and a message.
        bad_args = [
            [CONVERT, "--from-pytorch", pt],
            base_args("--from-pytorch", pt, os.path.join(tmp, "y.wmm"))[:-4] + ["-o", "y.wmm"],
            [a if a != "sensor" else "mfcc" for a in base_args("--from-pytorch", pt, "z.wmm")],
            [a if a != "a,b,c" else "a,a,c" for a in base_args("--from-pytorch", pt, "z.wmm")],
            base_args("--from-pytorch", pt, "z.wmm") + ["--from-npz", npz_path],
            base_args("--from-pytorch", pt, "z.wmm") + ["--cell-shift", "-3"],
        ]
        for i, args in enumerate(bad_args):
            r = run(args)
            check(r.returncode == 2 and r.stderr.strip(), f"bad arguments {i} exit 2",
                  f"status {r.returncode}: {r.stderr.strip()[-200:]}")
        # Bad files: exit 1 and the file's name in the message.
        garbage = os.path.join(tmp, "garbage.pt")
        with open(garbage, "wb") as f:
            f.write(b"not a state dict")
        wrong = os.path.join(tmp, "wrong-cal.npy")
        np.save(wrong, np.zeros((4, 7, 3), np.float32))
        missing = os.path.join(tmp, "missing.npz")
        for path, args in ((garbage, base_args("--from-pytorch", garbage, "z.wmm")),
                           (wrong, base_args("--from-pytorch", pt, "z.wmm", cal=wrong)),
                           (missing, base_args("--from-npz", missing, "z.wmm")),
                           (cal, base_args("--from-npz", cal, "z.wmm"))):
            r = run(args)
            check(r.returncode == 1 and path in r.stderr,
                  f"bad file {os.path.basename(path)} exit 1 naming it",
                  f"status {r.returncode}: {r.stderr.strip()[-200:]}")
        r = run([CONVERT, "--help"])
        check(r.returncode == 0 and all(s in r.stdout for s in (
            "--from-pytorch", "--from-npz", "--frontend", "--calibration", "--variant",
            "recurrent_kernel_k", "exit status")), "--help documents the interface")

        # wmm-train on a dataset directory; the front-end travels in the state_dict.
        ds = os.path.join(tmp, "dataset")
        os.mkdir(ds)
        X, y = demodata.imu_gestures(120, 32, 50, seed=4)
        np.save(os.path.join(ds, "X.npy"), X)
        np.save(os.path.join(ds, "y.npy"), y)
        with open(os.path.join(ds, "manifest.json"), "w") as f:
            json.dump({"classes": [{"name": c} for c in demodata.IMU_CLASSES]}, f)
        trained = os.path.join(tmp, "trained.pt")
        r = run([TRAIN, ds, "--frontend", "sensor", "--rate", "50", "--hidden", "8",
                 "--epochs", "3", "--quiet", "-o", trained])
        check(r.returncode == 0 and "validation accuracy" in r.stdout
              and ",".join(demodata.IMU_CLASSES) in r.stdout, "wmm-train reads a dataset "
              "directory and names its classes", r.stdout + r.stderr)
        sd = torch.load(trained) if r.returncode == 0 else {}
        check("frontend.mean" in sd and "lstm.weight_ih_l0" in sd and "head.weight" in sd,
              "the state_dict holds lstm, head and the front-end")
        out = os.path.join(tmp, "trained.wmm")
        r = run([CONVERT, "--from-pytorch", trained, "--frontend", "sensor", "--rate", "50",
                 "--channels", "6", "--window", "32", "--hop", "16",
                 "--classes", ",".join(demodata.IMU_CLASSES), "--name", "imu",
                 "--model-version", "1", "--variant", "f32", "-o", out])
        ok = r.returncode == 0
        if ok:
            m = wmmref.load(out)
            ok = np.allclose(m.t(wmmref.K_FE_MEAN), sd["frontend.mean"].numpy(), atol=1e-6)
        check(ok, "wmm-convert uses the trained front-end normalisation", r.stderr)
        if ok:
            windows = os.path.join(tmp, "windows.f32")
            X[:20].astype("<f4").tofile(windows)
            r = subprocess.run([wmm_run, out, windows], capture_output=True, text=True)
            p_c = np.array([[float(v) for v in line.split()] for line in r.stdout.splitlines()])
            ok = p_c.shape == (20, 4) and np.abs(p_c - wmmref.run_f32(m, X[:20])).max() < 1e-5
        check(ok, "the trained model runs in the C runtime like in wmmref.py")
        r = run([TRAIN, ds, "--layers", "4", "-o", trained])
        check(r.returncode == 2, "wmm-train: bad arguments exit 2")
        r = run([TRAIN, os.path.join(tmp, "nowhere"), "-o", trained])
        check(r.returncode == 1 and "nowhere" in r.stderr, "wmm-train: a bad input exits 1 "
              "naming it", r.stderr)

    print(f"1..{len(results)}")
    for i, (ok, what, detail) in enumerate(results, 1):
        if not ok and detail:
            for line in str(detail).splitlines()[-5:]:
                print(f"# {line}")
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
