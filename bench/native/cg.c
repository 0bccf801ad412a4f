/* CG on the 2-D Poisson problem (5-point, zero boundary), hand-fused like the native
 * backend's kernels: two passes over memory per iteration.
 *   pass 1, row by row: p = r + beta p on row i+1, then q = A p and p.q on row i
 *   pass 2, in blocks:  x += alpha p; r -= alpha q; then r.r on the block (still in L1)
 * Dot products accumulate in double, with 8 independent partial sums so the compiler can
 * vectorise them without -ffast-math (which would let it reorder everything else too).
 * Build: gcc -O3 -march=native -DREAL=float|double cg.c -o cg -lm
 * Run:   ./cg N ITERATIONS SAMPLES  -> one JSON line: per-iteration ms of each sample, wall
 *        clock ("times") and this process's CPU time ("cpu": what counts on a shared machine). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef REAL
#define REAL float
#endif
typedef REAL real;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static double dot(const real *restrict a, const real *restrict b, long n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  long j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; k++) s[k] += (double)a[j + k] * (double)b[j + k];
  double t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; j < n; j++) t += (double)a[j] * (double)b[j];
  return t;
}

static void p_row(real *restrict p, const real *restrict r, real beta, int n) {
  for (int j = 0; j < n; j++) p[j] = r[j] + beta * p[j];
}

/* q row i from p rows i-1, i, i+1 (zero rows outside); returns p.q over the row. */
static double stencil_row(const real *restrict p, real *restrict q, const real *restrict zero, int i, int n) {
  const real *c = p + (long)i * n;
  const real *u = i > 0 ? c - n : zero;
  const real *d = i < n - 1 ? c + n : zero;
  real *o = q + (long)i * n;
  if (n == 1) {
    o[0] = 4 * c[0] - u[0] - d[0];
  } else {
    o[0] = 4 * c[0] - u[0] - d[0] - c[1];
    for (int j = 1; j < n - 1; j++) o[j] = 4 * c[j] - (u[j] + d[j] + c[j - 1] + c[j + 1]);
    o[n - 1] = 4 * c[n - 1] - u[n - 1] - d[n - 1] - c[n - 2];
  }
  return dot(c, o, n);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: cg N ITERATIONS SAMPLES\n");
    return 2;
  }
  const int n = atoi(argv[1]), iters = atoi(argv[2]), samples = atoi(argv[3]);
  const long len = (long)n * n;
  real *x = aligned_alloc(64, ((len * sizeof(real) + 63) / 64) * 64);
  real *r = aligned_alloc(64, ((len * sizeof(real) + 63) / 64) * 64);
  real *p = aligned_alloc(64, ((len * sizeof(real) + 63) / 64) * 64);
  real *q = aligned_alloc(64, ((len * sizeof(real) + 63) / 64) * 64);
  real *zero = calloc(n, sizeof(real));
  const double h = 1.0 / (n + 1);
  double rz = 0;
  double *wall = calloc(samples, sizeof(double)), *cpu = calloc(samples, sizeof(double));
  for (int s = 0; s < samples; s++) {
    for (long i = 0; i < len; i++) x[i] = 0, r[i] = (real)(h * h), p[i] = 0;
    rz = dot(r, r, len);
    real beta = 0;
    const double t0 = now_ms(), c0 = cpu_ms();
    for (int k = 0; k < iters; k++) {
      /* pass 1: p = r + beta p one row ahead of q = A p */
      double pq = 0;
      p_row(p, r, beta, n);
      for (int i = 0; i < n; i++) {
        if (i + 1 < n) p_row(p + (long)(i + 1) * n, r + (long)(i + 1) * n, beta, n);
        pq += stencil_row(p, q, zero, i, n);
      }
      const real alpha = pq > 0 ? (real)(rz / pq) : 0;
      /* pass 2 in blocks of 1024 entries */
      double rr = 0;
      for (long b = 0; b < len; b += 1024) {
        const long e = b + 1024 < len ? b + 1024 : len;
        for (long i = b; i < e; i++) {
          x[i] += alpha * p[i];
          r[i] -= alpha * q[i];
        }
        rr += dot(r + b, r + b, e - b);
      }
      beta = rz > 0 ? (real)(rr / rz) : 0;
      rz = rr;
    }
    wall[s] = (now_ms() - t0) / iters;
    cpu[s] = (cpu_ms() - c0) / iters;
  }
  printf("{\"times\":[");
  for (int s = 0; s < samples; s++) printf("%s%.6f", s ? "," : "", wall[s]);
  printf("],\"cpu\":[");
  for (int s = 0; s < samples; s++) printf("%s%.6f", s ? "," : "", cpu[s]);
  printf("],\"rz\":%.17g}\n", rz);
  return 0;
}
