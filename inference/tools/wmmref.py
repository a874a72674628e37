# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent NumPy implementation of Waymark's .wmm models (inference/FORMAT.md).

It reads .wmm files by the text of FORMAT.md and evaluates both variants:

  * the int8 variant with exact integer arithmetic (int64/uint64 NumPy arrays,
    vectorised over windows); its outputs are the golden vectors the C runtime
    must reproduce byte for byte, so nothing here calls or mirrors the C code;
  * the f32 variant in float64, as the accuracy reference.

It also holds the float definition of the front-ends (what wmm-train feeds the
network, so training sees what the device sees) and the converter's table
builders (Hann window, cosine, mel filters) shared with wmm-convert.
"""

import math
import struct
import zlib

import numpy as np

I32_MIN = -(1 << 31)
I32_MAX = (1 << 31) - 1

VARIANT_INT8, VARIANT_F32 = 1, 2
FRONTEND_KINDS = {1: "raw", 2: "sensor", 3: "logmel"}
FRONTEND_IDS = {v: k for k, v in FRONTEND_KINDS.items()}
OUTPUT_SOFTMAX, OUTPUT_SIGMOID = 1, 2
GATE_ORDER_IFGO = 0x4F474649

SEC_ARCH, SEC_QUANT, SEC_FRONTEND, SEC_CLASSES, SEC_CONTEXT, SEC_TENSORS, SEC_DATA = range(1, 8)

K_WX, K_WH, K_BX, K_BH, K_HEAD_W, K_HEAD_B = 1, 2, 3, 4, 5, 6
K_FE_OFFSET, K_FE_MULT, K_FE_SHIFT, K_FE_MEAN, K_FE_INVSTD = 7, 8, 9, 10, 11
K_FE_WINDOW, K_FE_COS, K_FE_MEL = 12, 13, 14
DTYPES = {1: np.dtype("<i1"), 2: np.dtype("<i2"), 3: np.dtype("<i4"), 4: np.dtype("<f4")}

SOFTMAX_LOG2E_MULT = 1549082005


class FormatError(Exception):
    """The bytes are not a valid .wmm file; .status names the C status code."""

    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status


# ---------------------------------------------------------------- exact helpers

def round_half_away(x):
    """Round half away from zero, exactly for Python floats/ints."""
    x = float(x)
    r = math.floor(abs(x) + 0.5)
    return int(-r if x < 0 else r)


def _round_half_even(x):
    return int(round(x))  # Python's round() is half-to-even on exact values


def qm(real):
    """FORMAT.md 3.1: (multiplier, shift) with real = multiplier / 2^31 * 2^shift."""
    if real == 0:
        return 0, 0
    if real < 0 or not math.isfinite(real):
        raise ValueError(f"cannot quantise multiplier {real}")
    mant, exp = math.frexp(real)
    q = round_half_away(mant * (1 << 31))
    if q == 1 << 31:
        q = 1 << 30
        exp += 1
    if exp < -31:
        return 0, 0
    if exp > 30:
        raise ValueError(f"multiplier {real} needs a shift above 30")
    return q, exp


def sigmoid_table():
    """T[i] = min(65535, round_half_even(65536 / (1 + e^(-i/24)))), i = 0..255."""
    return np.array([min(65535, _round_half_even(65536.0 / (1.0 + math.exp(-i / 24.0))))
                     for i in range(256)], dtype=np.int64)


def exp2_table():
    """E[i] = round_half_even(32768 * 2^(-i/256)), i = 0..256."""
    return np.array([_round_half_even(32768.0 * 2.0 ** (-i / 256.0)) for i in range(257)],
                    dtype=np.int64)


def log2_table():
    """LG[t] = round_half_even(1024 * log2(1 + t/256)), t = 0..255."""
    return np.array([_round_half_even(1024.0 * math.log2(1.0 + t / 256.0)) for t in range(256)],
                    dtype=np.int64)


T_SIG = sigmoid_table()
T_EXP2 = exp2_table()
T_LOG2 = log2_table()


def _i64(x):
    return np.asarray(x, dtype=np.int64)


def clamp(x, lo, hi):
    return np.clip(_i64(x), lo, hi)


def sat8(x):
    return clamp(x, -128, 127)


def sat16(x):
    return clamp(x, -32768, 32767)


def sat32(x):
    return clamp(x, I32_MIN, I32_MAX)


def floor_div_pow2(x, n):
    """floor(x / 2^n) for int64 arrays (NumPy's >> on signed ints is a floor)."""
    return np.right_shift(_i64(x), _i64(n))


def trunc_div_pow2(x, n):
    x = _i64(x)
    return np.where(x >= 0, x >> n, -((-x) >> n))


def rdbpot(x, e):
    """RoundingDivideByPOT: x / 2^e rounded half away from zero (e >= 0, int64)."""
    x = _i64(x)
    e = _i64(e)
    q = np.right_shift(x, e)
    r = x - np.left_shift(q, e)
    threshold = np.right_shift(np.left_shift(np.int64(1), e) - 1, 1) + (x < 0)
    return q + (r > threshold)


def rdbpot64(x, e):
    """rdbpot on values that may use the whole int64 range (exact through Python ints
    only when needed: for |x| < 2^62 the int64 arithmetic above is exact)."""
    x = _i64(x)
    assert np.all(np.abs(x) < (1 << 62))
    return rdbpot(x, e)


def requantize(x, m, s):
    """FORMAT.md 3.1 on int64 arrays; m in [0, 2^31-1], s in [-31, 30] (broadcast)."""
    x = _i64(x)
    m = _i64(m)
    s = _i64(s)
    left = np.maximum(s, 0)
    # |x| <= 2^31 and left <= 30 would overflow int64 only beyond 2^62: clamp first.
    shifted = np.where(left > 0,
                       np.clip(np.clip(x, -(1 << 32), 1 << 32) * np.left_shift(np.int64(1), left),
                               I32_MIN, I32_MAX),
                       x)
    x = np.where(s > 0, shifted, x)
    special = (x == I32_MIN) & (m == I32_MIN)
    p = x * m
    nudge = np.where(p >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    y = trunc_div_pow2(p + nudge, 31)
    y = np.where(special, I32_MAX, y)
    return np.where(s < 0, rdbpot(y, np.maximum(-s, 0)), y)


def sigmoid16(x):
    """FORMAT.md 3.3: Q3.12 int16 in, Q0.15 out."""
    v = 3 * _i64(x)
    a = np.abs(v)
    i = a >> 9
    ic = np.minimum(i, 254)
    r = np.where(i >= 255, 32767 * 1024,
                 T_SIG[ic] * 512 + (a & 511) * (T_SIG[ic + 1] - T_SIG[ic]))
    return np.where(v >= 0, (r + 512) >> 10, ((1 << 25) - r + 511) >> 10)


def tanh16(x, ls):
    """FORMAT.md 3.3: tanh(x * 2^(ls-12)), ls in -3..3, Q0.15 out."""
    x = _i64(x)
    if ls >= 0:
        v = x * (3 << ls)
    else:
        v = floor_div_pow2(3 * x + (1 << (-ls - 1)), -ls)
    a = np.abs(v)
    i = a >> 8
    ic = np.minimum(i, 254)
    r = np.where(i >= 255, 65535 * 256,
                 T_SIG[ic] * 256 + (a & 255) * (T_SIG[ic + 1] - T_SIG[ic]))
    return np.where(v >= 0, floor_div_pow2(r - (1 << 23) + 128, 8),
                    floor_div_pow2((1 << 23) - r + 127, 8))


def log2q10(v):
    """FORMAT.md 3.7 on uint64 arrays, v >= 1."""
    v = np.asarray(v, dtype=np.uint64)
    assert np.all(v >= 1)
    b = np.zeros(v.shape, dtype=np.int64)
    rest = v.copy()
    for step in (32, 16, 8, 4, 2, 1):
        big = rest >= (np.uint64(1) << np.uint64(step))
        b = b + np.where(big, step, 0)
        rest = np.where(big, rest >> np.uint64(step), rest)
    hi = (v >> np.maximum(b - 8, 0).astype(np.uint64)) & np.uint64(255)
    lo = (v << np.maximum(8 - b, 0).astype(np.uint64)) & np.uint64(255)
    t = np.where(b >= 8, hi, lo).astype(np.int64)
    return b * 1024 + T_LOG2[t]


def softmax_q16(z):
    """FORMAT.md 3.6, softmax over the last axis of Q.12 logits; u16 Q0.16 out."""
    z = _i64(z)
    m = z.max(axis=-1, keepdims=True)
    d = np.maximum(z - m, -(1 << 24))
    u = -requantize(d, SOFTMAX_LOG2E_MULT, 1)
    n = u >> 12
    f = u & 4095
    i = f >> 4
    t = f & 15
    v = (T_EXP2[i] * 16 - (T_EXP2[i] - T_EXP2[i + 1]) * t + 8) >> 4
    nc = np.clip(n, 1, 62)
    e = np.where(n >= 16, 0, np.where(n >= 1, (v + np.left_shift(1, nc - 1)) >> nc, v))
    s = e.sum(axis=-1, keepdims=True)
    return np.minimum(65535, (e * 65536 + s // 2) // s)


def sigmoid_q16(z):
    return 2 * sigmoid16(sat16(z))


# ---------------------------------------------------------------- reading .wmm

def _u32(data, off):
    return struct.unpack_from("<I", data, off)[0]


def _string_list(sec, what):
    if len(sec) < 4:
        raise FormatError("WM_ERR_TRUNCATED", f"{what}: no count")
    count = _u32(sec, 0)
    if 4 + 8 * count > len(sec):
        raise FormatError("WM_ERR_TRUNCATED", f"{what}: list of {count} does not fit")
    out = []
    for i in range(count):
        off, length = struct.unpack_from("<II", sec, 4 + 8 * i)
        if off + length + 1 > len(sec) or sec[off + length] != 0:
            raise FormatError("WM_ERR_BAD_STRING", f"{what}: string {i} out of bounds")
        try:
            out.append(bytes(sec[off:off + length]).decode("utf-8"))
        except UnicodeDecodeError:
            raise FormatError("WM_ERR_BAD_STRING", f"{what}: string {i} is not UTF-8")
    return out


class Model:
    """A parsed .wmm file: plain attributes and NumPy arrays (int64 for integers)."""

    def __init__(self, data):
        data = bytes(data)
        if len(data) < 32:
            raise FormatError("WM_ERR_TRUNCATED", "shorter than the header")
        if data[0:4] != b"WMM1":
            raise FormatError("WM_ERR_BAD_MAGIC", "not a .wmm file")
        version, variant = struct.unpack_from("<HB", data, 4)
        if version != 1:
            raise FormatError("WM_ERR_UNSUPPORTED_VERSION", f"format version {version}")
        file_size, count, table_offset, file_crc = struct.unpack_from("<IIII", data, 8)
        if file_size > len(data) or file_size < 32 + 16 * count:
            raise FormatError("WM_ERR_TRUNCATED", "file_size")
        data = data[:file_size]
        if zlib.crc32(data[:20] + b"\0\0\0\0" + data[24:]) != file_crc:
            raise FormatError("WM_ERR_CRC_MISMATCH", "file CRC")
        if variant not in (VARIANT_INT8, VARIANT_F32):
            raise FormatError("WM_ERR_UNKNOWN_VARIANT", f"variant {variant}")
        if not 1 <= count <= 64 or table_offset != 32:
            raise FormatError("WM_ERR_BAD_SECTION", "section table")
        self.variant = variant
        self.size = file_size
        sections = {}
        end = 32 + 16 * count
        for i in range(count):
            typ, off, length, crc = struct.unpack_from("<IIII", data, 32 + 16 * i)
            if off % 8 or off < end or (typ in sections and 1 <= typ <= 7):
                raise FormatError("WM_ERR_BAD_SECTION", f"section {i}")
            if off + length > file_size:
                raise FormatError("WM_ERR_TRUNCATED", f"section {i}")
            if zlib.crc32(data[off:off + length]) != crc:
                raise FormatError("WM_ERR_CRC_MISMATCH", f"section {i}")
            end = off + length
            sections[typ] = data[off:off + length]
        required = [SEC_ARCH, SEC_FRONTEND, SEC_CLASSES, SEC_CONTEXT, SEC_TENSORS, SEC_DATA]
        if variant == VARIANT_INT8:
            required.append(SEC_QUANT)
        elif SEC_QUANT in sections:
            raise FormatError("WM_ERR_BAD_SECTION", "QUANT in an f32 file")
        for typ in required:
            if typ not in sections:
                raise FormatError("WM_ERR_BAD_SECTION", f"section type {typ} missing")
        self._arch(sections[SEC_ARCH])
        self._frontend(sections[SEC_FRONTEND])
        if variant == VARIANT_INT8:
            self._quant(sections[SEC_QUANT])
        self._tensors(sections[SEC_TENSORS], sections[SEC_DATA])
        self.classes = _string_list(sections[SEC_CLASSES], "CLASSES")
        if len(self.classes) != self.n_classes:
            raise FormatError("WM_ERR_BAD_SHAPE", "class count")
        context = _string_list(sections[SEC_CONTEXT], "CONTEXT")
        if len(context) < 6:
            raise FormatError("WM_ERR_BAD_STRING", "CONTEXT has fewer than 6 strings")
        (self.name, self.model_version, self.use_case, self.device_types,
         self.dataset_hash, self.created_at) = context[:6]

    def _arch(self, sec):
        if len(sec) < 36:
            raise FormatError("WM_ERR_TRUNCATED", "ARCH")
        w = struct.unpack_from("<9I", sec, 0)
        if w[0] != 1:
            raise FormatError("WM_ERR_UNSUPPORTED_VERSION", f"arch version {w[0]}")
        self.n_layers, self.n_features = w[1], w[2]
        self.hidden = list(w[3:3 + self.n_layers])
        self.n_classes, self.output = w[6], w[7]
        ok = (1 <= self.n_layers <= 3 and 1 <= self.n_features <= 256
              and all(1 <= h <= 256 for h in self.hidden)
              and all(h == 0 for h in w[3 + self.n_layers:6])
              and self.output in (OUTPUT_SOFTMAX, OUTPUT_SIGMOID)
              and (2 if self.output == OUTPUT_SOFTMAX else 1) <= self.n_classes <= 64
              and w[8] == GATE_ORDER_IFGO)
        if not ok:
            raise FormatError("WM_ERR_BAD_SHAPE", "ARCH")

    def _frontend(self, sec):
        if len(sec) < 32:
            raise FormatError("WM_ERR_TRUNCATED", "FRONTEND")
        kind, self.sample_rate, self.channels, self.window, self.hop, \
            self.frame_length, self.frame_step, self.n_mels = struct.unpack_from("<8I", sec, 0)
        if kind not in FRONTEND_KINDS:
            raise FormatError("WM_ERR_UNKNOWN_FRONTEND", f"kind {kind}")
        self.frontend = FRONTEND_KINDS[kind]
        if len(sec) < 32 + 4 * self.channels:
            raise FormatError("WM_ERR_TRUNCATED", "FRONTEND in_scale")
        self.in_scale = np.frombuffer(sec, "<f4", self.channels, 32).astype(np.float64)
        if self.frontend == "logmel":
            ok = (self.channels == 1 and self.frame_length in (64, 128, 256, 512)
                  and 1 <= self.frame_step <= self.frame_length and 1 <= self.n_mels <= 64
                  and self.n_features == self.n_mels)
        else:
            ok = (self.frame_length == 1 and self.frame_step == 1 and self.n_mels == 0
                  and self.n_features == self.channels)
        ok = ok and self.sample_rate >= 1 and 1 <= self.channels <= 64 \
            and 1 <= self.window <= 65535 and 1 <= self.hop <= 65535 \
            and np.all(np.isfinite(self.in_scale)) and np.all(self.in_scale > 0)
        if not ok:
            raise FormatError("WM_ERR_BAD_SHAPE", "FRONTEND")

    def _quant(self, sec):
        need = 12 + 92 * self.n_layers + 12
        if len(sec) < 12:
            raise FormatError("WM_ERR_TRUNCATED", "QUANT")
        scheme, rounding, n = struct.unpack_from("<3I", sec, 0)
        if scheme != 1 or rounding != 1:
            raise FormatError("WM_ERR_UNKNOWN_QUANTIZATION", f"scheme {scheme} rounding {rounding}")
        if n != self.n_layers:
            raise FormatError("WM_ERR_BAD_SHAPE", "QUANT n_layers")
        if len(sec) < need:
            raise FormatError("WM_ERR_TRUNCATED", "QUANT")
        self.q = []
        for layer in range(n):
            off = 12 + 92 * layer
            f = struct.unpack_from("<fifii4i4i4i4iii", sec, off)
            self.q.append({
                "x_scale": f[0], "x_zp": f[1], "h_scale": f[2], "h_zp": f[3],
                "cell_shift": f[4],
                "gx_mult": list(f[5:9]), "gx_shift": list(f[9:13]),
                "gh_mult": list(f[13:17]), "gh_shift": list(f[17:21]),
                "hidden_mult": f[21], "hidden_shift": f[22]})
        self.head_mult, self.head_shift, self.logit_frac = struct.unpack_from(
            "<3i", sec, 12 + 92 * n)

    def _tensors(self, sec, data):
        if len(sec) < 4:
            raise FormatError("WM_ERR_TRUNCATED", "TENSORS")
        count = _u32(sec, 0)
        if 4 + 48 * count > len(sec):
            raise FormatError("WM_ERR_TRUNCATED", "TENSORS")
        self.tensors = {}
        for i in range(count):
            kind, layer, gate, dtype, ndim = struct.unpack_from("<5B", sec, 4 + 48 * i)
            dim0, dim1, scale, zp, off, length = struct.unpack_from("<IIfiII", sec, 12 + 48 * i)
            if dtype not in DTYPES or off % 4 or off + length > len(data) \
                    or length != dim0 * dim1 * DTYPES[dtype].itemsize:
                raise FormatError("WM_ERR_BAD_TENSOR", f"tensor {i}")
            key = (kind, layer, gate)
            if key in self.tensors:
                raise FormatError("WM_ERR_BAD_TENSOR", f"tensor {i} duplicated")
            arr = np.frombuffer(data, DTYPES[dtype], dim0 * dim1, off).reshape(dim0, dim1)
            arr = arr.astype(np.float64 if dtype == 4 else np.int64)
            self.tensors[key] = arr[:, 0] if ndim == 1 else arr

    def t(self, kind, layer=0, gate=0):
        try:
            return self.tensors[(kind, layer, gate)]
        except KeyError:
            raise FormatError("WM_ERR_BAD_TENSOR", f"tensor kind {kind} layer {layer} gate {gate} missing")

    # -- geometry (FORMAT.md 3.8)
    def window_frames(self):
        return (self.window - 1) * self.frame_step + self.frame_length

    def hop_frames(self):
        return self.hop * self.frame_step


def load(path):
    with open(path, "rb") as f:
        return Model(f.read())


# ---------------------------------------------------------------- int8 variant

def frontend_int8(model, windows):
    """int16 input windows [N, window_frames, C] -> int8 features [N, W, F] (as int64)."""
    x = _i64(windows)
    zp = model.q[0]["x_zp"]
    off = model.t(K_FE_OFFSET)
    mult = model.t(K_FE_MULT)
    shift = model.t(K_FE_SHIFT)
    if model.frontend in ("raw", "sensor"):
        v = sat32(x - off)
    else:
        v = sat32(logmel_lq(model, x[:, :, 0]) - off)
    return sat8(clamp(requantize(v, mult, shift), -65536, 65536) + zp)


def logmel_lq(model, samples):
    """Q.10 log2 mel energies [N, W, M] from int16 samples [N, window_frames]."""
    L, S, W = model.frame_length, model.frame_step, model.window
    win = model.t(K_FE_WINDOW)
    cos = model.t(K_FE_COS)
    mel = model.t(K_FE_MEL).astype(np.uint64)
    nb = L // 2 + 1
    n = np.arange(L)
    k = np.arange(nb)
    c_tab = cos[(k[:, None] * n[None, :]) % L]                   # [nb, L]
    s_tab = cos[(k[:, None] * n[None, :] + 3 * L // 4) % L]
    idx = np.arange(W)[:, None] * S + n[None, :]                 # [W, L]
    frames = samples[:, idx]                                     # [N, W, L]
    xw = floor_div_pow2(frames * win + (1 << 14), 15)            # rshift_round(., 15)
    # |xw| <= 2^15, |cos| <= 2^14, L <= 512: every partial sum is exact in int64.
    re = np.einsum("nwl,kl->nwk", xw, c_tab)
    im = np.einsum("nwl,kl->nwk", xw, s_tab)
    re = rdbpot64(re, 16)
    im = rdbpot64(im, 16)
    p = (re * re).astype(np.uint64) + (im * im).astype(np.uint64)
    a = np.zeros(p.shape[:2] + (model.n_mels,), dtype=np.uint64)
    for m in range(model.n_mels):
        a[:, :, m] = (p * mel[m][None, None, :]).sum(axis=-1, dtype=np.uint64)
    e = (a + np.uint64(1 << 14)) >> np.uint64(15)
    return log2q10(e + np.uint64(1))


def lstm_int8(model, feats):
    """Run all layers over int8 features [N, W, F]; return the last layer's h [N, H]."""
    x_seq = _i64(feats)
    n, w = x_seq.shape[:2]
    for layer in range(model.n_layers):
        q = model.q[layer]
        hidden = model.hidden[layer]
        wx = [model.t(K_WX, layer, g) for g in range(4)]
        wh = [model.t(K_WH, layer, g) for g in range(4)]
        bx = [model.t(K_BX, layer, g) for g in range(4)]
        bh = [model.t(K_BH, layer, g) for g in range(4)]
        h = np.full((n, hidden), q["h_zp"], dtype=np.int64)
        c = np.zeros((n, hidden), dtype=np.int64)
        cs = q["cell_shift"]
        out = np.empty((n, w, hidden), dtype=np.int64)
        for t in range(w):
            x = x_seq[:, t, :]
            pre = []
            for g in range(4):
                ax = sat32(bx[g] + x @ wx[g].T)
                ah = sat32(bh[g] + h @ wh[g].T)
                px = sat16(requantize(ax, q["gx_mult"][g], q["gx_shift"][g]))
                ph = clamp(requantize(ah, q["gh_mult"][g], q["gh_shift"][g]), -65536, 65536)
                pre.append(sat16(px + ph))
            ig = sigmoid16(pre[0])
            fg = sigmoid16(pre[1])
            gg = tanh16(pre[2], 0)
            og = sigmoid16(pre[3])
            c1 = sat16(rdbpot(fg * c, 15))
            c2 = sat16(rdbpot(ig * gg, 30 + cs))
            c = sat16(c1 + c2)
            tc = tanh16(c, cs + 12)
            h = sat8(clamp(requantize(og * tc, q["hidden_mult"], q["hidden_shift"]),
                           -65536, 65536) + q["h_zp"])
            out[:, t, :] = h
        x_seq = out
    return x_seq[:, -1, :]


def logits_int8(model, h_last):
    acc = sat32(model.t(K_HEAD_B) + _i64(h_last) @ model.t(K_HEAD_W).T)
    return clamp(requantize(acc, model.head_mult, model.head_shift), -(1 << 24), 1 << 24)


def run_int8(model, windows):
    """u16 Q0.16 probabilities [N, K] of int16 windows [N, window_frames, C]."""
    if model.variant != VARIANT_INT8:
        raise ValueError("run_int8 needs an int8 model")
    z = logits_int8(model, lstm_int8(model, frontend_int8(model, windows)))
    return softmax_q16(z) if model.output == OUTPUT_SOFTMAX else sigmoid_q16(z)


def stream_windows(model, frames):
    """Cut a channel-interleaved stream [T, C] into the windows the device emits."""
    frames = np.asarray(frames)
    wf, hf = model.window_frames(), model.hop_frames()
    count = 0 if len(frames) < wf else (len(frames) - wf) // hf + 1
    return np.stack([frames[i * hf:i * hf + wf] for i in range(count)]) if count else \
        np.zeros((0, wf, frames.shape[1]), frames.dtype)


# ---------------------------------------------------------------- f32 variant

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def logmel_energy_float(tables, samples, in_scale):
    """Float mel energies E [N, W, M] (FORMAT.md 4) from physical samples [N, frames]."""
    win, cos, mel, L, S, W = tables
    u = np.asarray(samples, dtype=np.float64) / in_scale
    n = np.arange(L)
    k = np.arange(L // 2 + 1)
    c_tab = cos[(k[:, None] * n[None, :]) % L]
    s_tab = cos[(k[:, None] * n[None, :] + 3 * L // 4) % L]
    idx = np.arange(W)[:, None] * S + n[None, :]
    xw = u[:, idx] * win
    re = np.einsum("nwl,kl->nwk", xw, c_tab)
    im = np.einsum("nwl,kl->nwk", xw, s_tab)
    p = (re * re + im * im) / 16.0
    return np.einsum("nwk,mk->nwm", p, mel)


def frontend_f32(model, windows):
    x = np.asarray(windows, dtype=np.float64)
    mean, inv_std = model.t(K_FE_MEAN), model.t(K_FE_INVSTD)
    if model.frontend in ("raw", "sensor"):
        return (x - mean) * inv_std
    tables = (model.t(K_FE_WINDOW), model.t(K_FE_COS), model.t(K_FE_MEL),
              model.frame_length, model.frame_step, model.window)
    e = logmel_energy_float(tables, x[:, :, 0], model.in_scale[0])
    return (np.log2(e + 1.0) - mean) * inv_std


def run_f32(model, windows):
    """Float probabilities [N, K] of physical-value windows [N, window_frames, C]."""
    if model.variant != VARIANT_F32:
        raise ValueError("run_f32 needs an f32 model")
    x_seq = frontend_f32(model, windows)
    n, w = x_seq.shape[:2]
    for layer in range(model.n_layers):
        hidden = model.hidden[layer]
        wx = [model.t(K_WX, layer, g) for g in range(4)]
        wh = [model.t(K_WH, layer, g) for g in range(4)]
        b = [model.t(K_BX, layer, g) for g in range(4)]
        h = np.zeros((n, hidden))
        c = np.zeros((n, hidden))
        out = np.empty((n, w, hidden))
        for t in range(w):
            a = [b[g] + x_seq[:, t, :] @ wx[g].T + h @ wh[g].T for g in range(4)]
            c = sigmoid(a[1]) * c + sigmoid(a[0]) * np.tanh(a[2])
            h = sigmoid(a[3]) * np.tanh(c)
            out[:, t, :] = h
        x_seq = out
    z = model.t(K_HEAD_B) + x_seq[:, -1, :] @ model.t(K_HEAD_W).T
    if model.output == OUTPUT_SIGMOID:
        return sigmoid(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- converter tables

def hann_window(L):
    n = np.arange(L)
    return 0.5 - 0.5 * np.cos(2 * np.pi * n / L)


def cos_table(L):
    return np.cos(2 * np.pi * np.arange(L) / L)


def mel_filters(rate, L, M):
    """Triangular HTK-mel filters [M, L/2+1]: M+2 points equally spaced in mel from 0 Hz
    to rate/2; bin k sits at k*rate/L Hz."""
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    points = mel_to_hz(np.linspace(0.0, hz_to_mel(rate / 2.0), M + 2))
    freqs = np.arange(L // 2 + 1) * rate / L
    fb = np.zeros((M, L // 2 + 1))
    for m in range(M):
        lo, mid, hi = points[m], points[m + 1], points[m + 2]
        up = (freqs - lo) / (mid - lo)
        down = (hi - freqs) / (hi - mid)
        fb[m] = np.maximum(0.0, np.minimum(up, down))
    return fb


def round_half_away_array(x):
    x = np.asarray(x, dtype=np.float64)
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int64)


def logmel_tables_int(rate, L, M):
    return (round_half_away_array(32767 * hann_window(L)),
            round_half_away_array(16384 * cos_table(L)),
            round_half_away_array(32767 * mel_filters(rate, L, M)))


def logmel_tables_float(rate, L, M):
    """The f32 tables are the real values whose quantised forms the int8 variant stores."""
    return hann_window(L), cos_table(L), mel_filters(rate, L, M)


# ---------------------------------------------------------------- front-end for training

class Frontend:
    """Front-end parameters as wmm-train fits them and wmm-convert writes them."""

    def __init__(self, kind, rate, in_scale, mean, inv_std,
                 frame_length=1, frame_step=1, n_mels=0):
        self.kind = kind
        self.rate = rate
        self.in_scale = np.asarray(in_scale, dtype=np.float64)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.inv_std = np.asarray(inv_std, dtype=np.float64)
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.n_mels = n_mels

    def n_frames(self, n_samples):
        """Feature frames of a window of n_samples input frames."""
        if self.kind != "logmel":
            return n_samples
        return (n_samples - self.frame_length) // self.frame_step + 1


def logmel_log_energy(fe, X):
    """log2(E + 1) features [N, W, M] of physical audio windows X [N, frames, 1]."""
    L, S = fe.frame_length, fe.frame_step
    W = fe.n_frames(X.shape[1])
    if W < 1:
        raise ValueError(f"windows of {X.shape[1]} samples are shorter than one frame of {L}")
    win, cos, mel = logmel_tables_float(fe.rate, L, fe.n_mels)
    out = []
    for s in range(0, len(X), 256):  # bounded memory on large datasets
        e = logmel_energy_float((win, cos, mel, L, S, W), X[s:s + 256, :, 0], fe.in_scale[0])
        out.append(np.log2(e + 1.0))
    return np.concatenate(out) if out else np.zeros((0, W, fe.n_mels))


def fit_frontend(kind, X, rate, in_scale=None, frame_length=256, frame_step=128, n_mels=16):
    """Choose front-end parameters from training windows X [N, frames, C] (physical values):
    sensor and logmel standardise every feature with the training data's mean and
    standard deviation; raw passes features through."""
    C = X.shape[2]
    if in_scale is None:
        in_scale = default_in_scale(kind, X)
    if kind == "logmel":
        if C != 1:
            raise ValueError(f"logmel needs one channel, the data has {C}")
        fe = Frontend(kind, rate, in_scale, np.zeros(n_mels), np.ones(n_mels),
                      frame_length, frame_step, n_mels)
        feats = logmel_log_energy(fe, X)
    else:
        fe = Frontend(kind, rate, in_scale, np.zeros(C), np.ones(C))
        feats = np.asarray(X, dtype=np.float64)
    if kind != "raw" and len(feats):
        flat = feats.reshape(-1, feats.shape[2])
        fe.mean = flat.mean(axis=0)
        std = flat.std(axis=0)
        fe.inv_std = 1.0 / np.where(std > 1e-6, std, 1.0)
    return fe


def default_in_scale(kind, X):
    """int16 LSB per channel: audio is full scale ±1; other data keeps 25 % headroom
    above the largest magnitude seen."""
    C = X.shape[2]
    if kind == "logmel":
        return np.full(C, 1.0 / 32768.0)
    peak = np.abs(np.asarray(X, dtype=np.float64)).reshape(-1, C).max(axis=0) if X.size else np.ones(C)
    return np.where(peak > 0, peak * 1.25 / 32767.0, 1.0 / 32768.0)


def frontend_features_float(fe, X):
    """The float features [N, W, F] the network sees for physical windows X."""
    X = np.asarray(X, dtype=np.float64)
    if fe.kind == "logmel":
        feats = logmel_log_energy(fe, X)
    else:
        feats = X
    return ((feats - fe.mean) * fe.inv_std).astype(np.float32)


def frontend_state(fe):
    """The front-end as extra state_dict entries (prefixed with 'frontend.')."""
    return {"kind": np.array(FRONTEND_IDS[fe.kind], dtype=np.int64),
            "rate": np.array(fe.rate, dtype=np.float64),
            "in_scale": fe.in_scale, "mean": fe.mean, "inv_std": fe.inv_std,
            "frame_length": np.array(fe.frame_length, dtype=np.int64),
            "frame_step": np.array(fe.frame_step, dtype=np.int64),
            "n_mels": np.array(fe.n_mels, dtype=np.int64)}


def frontend_from_state(state):
    """Inverse of frontend_state, from a dict of NumPy arrays; None if absent."""
    if "kind" not in state:
        return None
    return Frontend(FRONTEND_KINDS[int(state["kind"])], float(state["rate"]),
                    state["in_scale"], state["mean"], state["inv_std"],
                    int(state["frame_length"]), int(state["frame_step"]), int(state["n_mels"]))


def quantize_input(fe, X):
    """Physical windows -> the int16 samples a device would deliver."""
    q = np.round(np.asarray(X, dtype=np.float64) / fe.in_scale)
    return np.clip(q, -32768, 32767).astype(np.int16)
