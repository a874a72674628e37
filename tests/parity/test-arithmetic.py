#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The C integer arithmetic against wmmref.py, the independent reference (TAP).

- wm_sigmoid16 and wm_tanh16 (left shifts -3 ... 3) over all 65,536 int16 inputs (3.3);
- wm_requantize on every shift -31 ... 30 crossed with edge and random accumulators
  (INT32_MIN, INT32_MAX, +-1, ...) and multipliers (0, 1, 2^30, INT32_MAX, ...) (3.1);
- wm_log2q10 on 1 ... 2^16, around every power of two, and random 64-bit values (3.7);
- wm_softmax_q16 on random logits from tiny to +-2^24 (3.6);
- wmmref's own tables against the values FORMAT.md states.

usage: test-activations.py WMM_RUN
"""

import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "inference", "tools"))

import wmmref  # noqa: E402


I32_EDGES = [-2 ** 31, -2 ** 31 + 1, -2 ** 30 - 1, -2 ** 30, -65537, -65536, -32769, -3, -2,
             -1, 0, 1, 2, 3, 32767, 65535, 65536, 2 ** 30, 2 ** 30 + 1, 2 ** 31 - 2, 2 ** 31 - 1]
MULT_EDGES = [0, 1, 2, 3, 2 ** 30 - 1, 2 ** 30, 2 ** 30 + 1, 1549082005, 2 ** 31 - 2, 2 ** 31 - 1]


def c_arith(wmm_run, what, records):
    r = subprocess.run([wmm_run, f"--arithmetic={what}"], input=records.tobytes(),
                       capture_output=True, check=True)
    return r.stdout


def arithmetic_checks(wmm_run):
    rng = np.random.default_rng(2026)
    acc = np.concatenate([I32_EDGES, rng.integers(-2 ** 31, 2 ** 31, 60),
                          rng.integers(-70000, 70000, 40)]).astype(np.int64)
    mult = np.concatenate([MULT_EDGES, rng.integers(0, 2 ** 31, 20)]).astype(np.int64)
    shift = np.arange(-31, 31, dtype=np.int64)
    a, m, s = (g.ravel() for g in np.meshgrid(acc, mult, shift, indexing="ij"))
    got = np.frombuffer(c_arith(wmm_run, "requantize", np.stack([a, m, s], 1).astype("<i4")),
                        dtype="<i4").astype(np.int64)
    want = wmmref.requantize(a, m, s)
    yield "requantize", got, want, (a, m, s)

    v = [np.arange(1, 65537, dtype=np.uint64)]
    for b in range(64):
        p = np.uint64(1) << np.uint64(b)
        v.append(np.array([p, p + np.uint64(1), p | (p >> np.uint64(1))], dtype=np.uint64))
        v.append(np.array([p - np.uint64(1)], dtype=np.uint64) if b else np.zeros(0, np.uint64))
    v.append(rng.integers(1, 2 ** 63, 5000, dtype=np.uint64) << rng.integers(0, 2, 5000).astype(np.uint64))
    v = np.concatenate(v)
    v = v[v >= 1]
    got = np.frombuffer(c_arith(wmm_run, "log2q10", v.astype("<u8")), dtype="<i4").astype(np.int64)
    yield "log2q10", got, wmmref.log2q10(v), (v,)

    z = np.concatenate([rng.integers(-2 ** 24, 2 ** 24 + 1, (3000, 4)),
                        rng.integers(-40000, 40000, (3000, 4)),
                        rng.integers(-50, 50, (1000, 4)),
                        rng.choice([-2 ** 24, 0, 2 ** 24], (200, 4))]).astype(np.int64)
    got = np.frombuffer(c_arith(wmm_run, "softmax4", z.astype("<i4")),
                        dtype="<u2").astype(np.int64).reshape(-1, 4)
    yield "softmax_q16 (4 classes)", got, wmmref.softmax_q16(z), (z,)


def main():
    wmm_run = sys.argv[1]
    arith = list(arithmetic_checks(wmm_run))
    r = subprocess.run([wmm_run, "--activations"], capture_output=True, check=True)
    c_out = np.frombuffer(r.stdout, dtype="<i2").astype(np.int64).reshape(8, 65536)
    x = np.arange(-32768, 32768, dtype=np.int64)
    checks = [("sigmoid16", c_out[0], wmmref.sigmoid16(x), (1, 32767))]
    for i, ls in enumerate(range(-3, 4), start=1):
        checks.append((f"tanh16 left shift {ls}", c_out[i], wmmref.tanh16(x, ls),
                       (-32767, 32767)))
    tables = [
        ("T[0] = 32768, T[255] = 65534", wmmref.T_SIG[0] == 32768 and wmmref.T_SIG[255] == 65534),
        ("E[0] = 32768, E[256] = 16384", wmmref.T_EXP2[0] == 32768 and wmmref.T_EXP2[256] == 16384),
        ("LG[0] = 0, LG[255] = 1021", wmmref.T_LOG2[0] == 0 and wmmref.T_LOG2[255] == 1021),
        ("sigmoid16 is monotonic, sigmoid16(0) = 16384",
         bool(np.all(np.diff(wmmref.sigmoid16(x)) >= 0)) and int(wmmref.sigmoid16(0)) == 16384),
    ]
    print(f"1..{len(checks) + len(arith) + len(tables)}")
    n = 0
    failures = 0
    for name, got, want, inputs in arith:
        n += 1
        bad = np.flatnonzero((got != want).reshape(len(got), -1).any(axis=1))
        if len(bad):
            i = bad[0]
            print(f"# {name}: {len(bad)} of {len(got)} inputs differ, first "
                  f"{[x[i].tolist() for x in inputs]}: C {got[i]}, reference {want[i]}")
        print(f"{'ok' if len(bad) == 0 and len(got) == len(want) else 'not ok'} {n} - "
              f"{name} on {len(got)} inputs")
        failures += len(bad) != 0 or len(got) != len(want)
    for name, got, want, (lo, hi) in checks:
        n += 1
        bad = np.flatnonzero(got != want)
        ok = len(bad) == 0 and want.min() >= lo and want.max() <= hi
        if len(bad):
            i = bad[0]
            print(f"# {name}: {len(bad)} inputs differ, first x = {x[i]}: C {got[i]}, "
                  f"reference {want[i]}")
        print(f"{'ok' if ok else 'not ok'} {n} - {name} on all 65536 inputs")
        failures += not ok
    for name, ok in tables:
        n += 1
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
