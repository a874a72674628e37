# SPDX-License-Identifier: GPL-3.0-or-later
"""Seeded synthetic data that looks like Waymark's demo recordings.

imu_gestures: 6-channel IMU windows (accelerometer in g, gyroscope in deg/s)
of four gestures: still, shake, circle, tap.
tones_in_noise: mono audio windows: noise only, a low tone, a high tone, or a
chirp, at varying signal-to-noise ratio.
"""

import numpy as np

IMU_CLASSES = ["still", "shake", "circle", "tap"]
TONE_CLASSES = ["noise", "low", "high", "chirp"]


def imu_gestures(n, window, rate, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(window, dtype=np.float64) / rate
    X = np.empty((n, window, 6), dtype=np.float64)
    y = rng.integers(0, len(IMU_CLASSES), size=n)
    for i in range(n):
        g = rng.normal(0, 1, 3)
        g = g / np.linalg.norm(g)  # device orientation: gravity direction
        acc = np.tile(g, (window, 1)) + rng.normal(0, 0.03, (window, 3))
        gyr = rng.normal(0, 2.0, (window, 3))
        amp = rng.uniform(0.6, 1.4)
        phase = rng.uniform(0, 2 * np.pi)
        if y[i] == 1:  # shake: fast oscillation on one axis
            f = rng.uniform(5, 8)
            axis = rng.integers(0, 3)
            acc[:, axis] += amp * np.sin(2 * np.pi * f * t + phase)
            gyr[:, (axis + 1) % 3] += 60 * amp * np.cos(2 * np.pi * f * t + phase)
        elif y[i] == 2:  # circle: slow rotation in a plane
            f = rng.uniform(0.8, 1.6)
            acc[:, 0] += 0.5 * amp * np.cos(2 * np.pi * f * t + phase)
            acc[:, 1] += 0.5 * amp * np.sin(2 * np.pi * f * t + phase)
            gyr[:, 2] += 90 * amp
        elif y[i] == 3:  # tap: one short spike somewhere in the window
            at = rng.integers(window // 8, window - window // 8)
            width = max(2, window // 16)
            acc[at:at + width, 2] += 2.5 * amp
            gyr[at:at + width, 0] += 40 * amp * rng.choice((-1, 1))
        X[i, :, :3] = acc
        X[i, :, 3:] = gyr
    return X.astype(np.float32), y.astype(np.int64)


def tones_in_noise(n, samples, rate, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(samples, dtype=np.float64) / rate
    X = np.empty((n, samples, 1), dtype=np.float64)
    y = rng.integers(0, len(TONE_CLASSES), size=n)
    for i in range(n):
        noise_level = rng.uniform(0.02, 0.1)
        x = rng.normal(0, noise_level, samples)
        amp = rng.uniform(0.2, 0.6)
        phase = rng.uniform(0, 2 * np.pi)
        if y[i] == 1:
            x += amp * np.sin(2 * np.pi * rng.uniform(300, 600) * t + phase)
        elif y[i] == 2:
            x += amp * np.sin(2 * np.pi * rng.uniform(1800, 3000) * t + phase)
        elif y[i] == 3:
            f0, f1 = rng.uniform(300, 600), rng.uniform(2000, 3000)
            k = (f1 - f0) / t[-1]
            x += amp * np.sin(2 * np.pi * (f0 * t + 0.5 * k * t * t) + phase)
        X[i, :, 0] = np.clip(x, -1.0, 1.0)
    return X.astype(np.float32), y.astype(np.int64)
