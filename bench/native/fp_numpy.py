"""Picard on x = tanh(W x + b) in idiomatic NumPy: what a NumPy user writes, with the residual
‖T(x) − x‖ each iteration (as the iterlang step computes it). W and b are read from raw float64
files written by the benchmark, so every peer iterates the same map.
Usage: python3 fp_numpy.py W.bin b.bin N ITERATIONS SAMPLES f32|f64 ATOL MAXITER -> one JSON line."""
import json
import resource
import sys
import time

import numpy as np


def main():
    wpath, bpath = sys.argv[1], sys.argv[2]
    n, iters, samples = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    dtype = np.float32 if sys.argv[6] == "f32" else np.float64
    atol, maxiter = float(sys.argv[7]), int(sys.argv[8])
    W = np.fromfile(wpath, dtype=np.float64).reshape(n, n).astype(dtype)
    b = np.fromfile(bpath, dtype=np.float64).astype(dtype)

    def step(x):
        y = np.tanh(W @ x + b)
        return y, float(np.linalg.norm(y - x))

    times = []
    cpu = []
    for _ in range(samples):
        x = np.zeros(n, dtype=dtype)
        t0 = time.perf_counter()
        c0 = time.process_time()
        for _ in range(iters):
            x, _res = step(x)
        times.append((time.perf_counter() - t0) * 1000 / iters)
        cpu.append((time.process_time() - c0) * 1000 / iters)
    x = np.zeros(n, dtype=dtype)
    t0 = time.perf_counter()
    k = 0
    while k < maxiter:
        y, res = step(x)
        if res < atol:
            break
        x = y
        k += 1
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"times": times, "cpu": cpu, "iterations": k, "seconds": seconds, "residual": res, "maxrss": rss}))


main()
