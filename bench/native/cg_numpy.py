"""CG on the 2-D Poisson problem in idiomatic NumPy (in-place updates, slices for the
stencil, np.vdot for inner products): what a NumPy user writes. Same start and right-hand
side as the other peers (x = 0, b = h^2, 5-point operator 4u - neighbours, zero boundary).
Usage: python3 cg_numpy.py N ITERATIONS SAMPLES f32|f64 -> one JSON line."""
import json
import sys
import time

import numpy as np


def main():
    n, iters, samples = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    dtype = np.float32 if sys.argv[4] == "f32" else np.float64
    h = 1.0 / (n + 1)
    b = np.full((n, n), h * h, dtype=dtype)

    def apply(p, q):
        np.multiply(p, 4, out=q)
        q[1:, :] -= p[:-1, :]
        q[:-1, :] -= p[1:, :]
        q[:, 1:] -= p[:, :-1]
        q[:, :-1] -= p[:, 1:]

    times = []
    cpu = []
    rz = 0.0
    for _ in range(samples):
        x = np.zeros((n, n), dtype=dtype)
        r = b.copy()
        p = r.copy()
        q = np.empty_like(r)
        rz = np.vdot(r, r)
        t0 = time.perf_counter()
        c0 = time.process_time()
        for _ in range(iters):
            apply(p, q)
            pq = np.vdot(p, q)
            alpha = rz / pq if pq > 0 else 0
            x += alpha * p
            r -= alpha * q
            rr = np.vdot(r, r)
            beta = rr / rz if rz > 0 else 0
            rz = rr
            p *= beta
            p += r
        times.append((time.perf_counter() - t0) * 1000 / iters)
        cpu.append((time.process_time() - c0) * 1000 / iters)
    print(json.dumps({"times": times, "cpu": cpu, "rz": float(rz), "numpy": np.__version__}))


main()
