# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks gathered by a Python test and reported as TAP for meson."""

import shutil
import tempfile

checks = []


def check(name, ok, detail=""):
    checks.append((name, bool(ok), detail))


def main(prefix, body):
    """Runs body(tmp) in a fresh temporary folder, then prints every check as
    TAP; returns the exit status (1 when a check failed)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        body(tmp)
    finally:
        shutil.rmtree(tmp)
    print(f"1..{len(checks)}")
    failed = 0
    for i, (name, ok, detail) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} {name}")
        if not ok:
            failed += 1
            print(f"# {detail}")
    return 1 if failed else 0
