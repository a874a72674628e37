#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The numpy comparator of bench-spectrogram: the same STFT as app/dsp
(centred frames with zero padding, periodic Hann window, rfft, power
normalised to a full-scale sine, 10*log10 with a floor) over raw float32
samples.  Prints the seconds the STFT took, excluding loading the file."""

import sys
import time

import numpy as np


def stft_db(samples, fft_size, hop, floor_db, chunk_columns=8192):
    n_columns = (len(samples) + hop - 1) // hop
    padded = np.concatenate([np.zeros(fft_size // 2, np.float32), samples,
                             np.zeros(fft_size, np.float32)])
    n = np.arange(fft_size)
    window = (np.sin(np.pi * n / fft_size) ** 2).astype(np.float32)
    scale = np.float32(4.0 / window.sum(dtype=np.float64) ** 2)
    floor_power = np.float32(10.0 ** (floor_db / 10.0))
    checksum = 0.0
    for first in range(0, n_columns, chunk_columns):
        count = min(chunk_columns, n_columns - first)
        frames = np.lib.stride_tricks.as_strided(
            padded[first * hop:], shape=(count, fft_size),
            strides=(hop * padded.itemsize, padded.itemsize))
        spectrum = np.fft.rfft(frames * window, axis=1)
        power = (spectrum.real ** 2 + spectrum.imag ** 2) * scale
        db = 10.0 * np.log10(np.maximum(power, floor_power))
        checksum += float(db[:, 1].sum())
    return n_columns, checksum


def main():
    path, fft_size, hop, floor_db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    samples = np.fromfile(path, dtype=np.float32)
    start = time.perf_counter()
    n_columns, _ = stft_db(samples, fft_size, hop, floor_db)
    seconds = time.perf_counter() - start
    print(f"{seconds:.6f} {n_columns}")


if __name__ == "__main__":
    main()
