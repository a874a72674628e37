#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that po/POTFILES.in lists every source file with translatable strings.

Usage: check-potfiles.py [--update] SOURCE_ROOT

A file under app/, ui/ or labelstore/ that contains a _(" or N_(" call, or a
.ui file with translatable="yes", must be listed; every listed file must exist.
--update rewrites the list: the files found plus the listed data/ files.
"""

import os
import re
import sys

SCANNED_DIRS = ('app', 'ui', 'labelstore')
MARKERS = {
    '.c': re.compile(r'\b(?:N|C|NC)?_\s*\(\s*"|\bngettext\s*\('),
    '.h': re.compile(r'\b(?:N|C|NC)?_\s*\(\s*"|\bngettext\s*\('),
    '.ui': re.compile(r'translatable="yes"'),
}


def listed_files(root):
    path = os.path.join(root, 'po', 'POTFILES.in')
    with open(path, encoding='utf-8') as f:
        return {line.strip() for line in f
                if line.strip() and not line.lstrip().startswith('#')}


def files_with_strings(root):
    found = set()
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if not d.startswith(('.', '_build'))]
            for name in filenames:
                marker = MARKERS.get(os.path.splitext(name)[1])
                if marker is None:
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    if marker.search(f.read()):
                        found.add(os.path.relpath(path, root))
    return found


def update(root, listed, needed):
    path = os.path.join(root, 'po', 'POTFILES.in')
    with open(path, encoding='utf-8') as f:
        header = [line for line in f if line.startswith('#')]
    keep = {p for p in listed
            if not p.startswith(SCANNED_DIRS) and os.path.exists(os.path.join(root, p))}
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(header)
        f.writelines(p + '\n' for p in sorted(keep | needed))


def main():
    args = sys.argv[1:]
    do_update = args[:1] == ['--update']
    if do_update:
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = args[0]
    listed = listed_files(root)
    needed = files_with_strings(root)
    if do_update:
        update(root, listed, needed)
        listed = listed_files(root)
    status = 0
    for path in sorted(needed - listed):
        print(f'po/POTFILES.in: missing {path} (it has translatable strings)')
        status = 1
    for path in sorted(listed):
        if not os.path.exists(os.path.join(root, path)):
            print(f'po/POTFILES.in: {path} does not exist')
            status = 1
    if status == 0:
        print(f'po/POTFILES.in: all {len(needed)} files with translatable strings are listed')
    return status


if __name__ == '__main__':
    sys.exit(main())
