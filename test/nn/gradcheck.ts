/**
 * Finite-difference gradient checks for the nn ops.
 *
 * The output of `build()` is reduced to S = Σ r ⊙ out with a fixed random r (so every output entry
 * matters with its own weight); the analytic dS/dθ comes from `backward`, the numeric one from
 * central differences (S(θ + ε) − S(θ − ε)) / (θ₊ − θ₋) with S summed in float64 and θ± the
 * float32 values actually stored. Entries are compared with |a − n| ≤ atol·scale + rtol·max(|a|, |n|).
 *
 * Through ReLUs a perturbation can cross a kink (a pre-activation within ε of 0), where a finite
 * difference means nothing. With `kinks`, each entry is also differenced with ε/4; where the two
 * estimates disagree the entry is skipped, and at most a tenth of the entries may be.
 */
import assert from 'node:assert/strict';
import { Rng, Tensor, backward, result } from '../../src/nn';

export interface GradCheckOptions {
  eps?: number;
  rtol?: number;
  /** Relative to the largest gradient entry of the leaf (or 1 when that is smaller). */
  atol?: number;
  /** Check at most this many entries per leaf, chosen at random. */
  maxEntries?: number;
  seed?: number;
  /** Skip entries whose finite differences straddle a ReLU kink (see above). */
  kinks?: boolean;
}

/** Σ r ⊙ out as a [1, 1] tensor with the gradient r. */
function project(out: Tensor, r: Float64Array): Tensor {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += (r[i] as number) * (out.data[i] as number);
  return result(new Float32Array([s]), 1, 1, [out], (o) => {
    const g = (o.grad as Float32Array)[0] as number;
    const d = out.gradBuffer();
    for (let i = 0; i < r.length; i++) d[i] = (d[i] as number) + g * (r[i] as number);
  });
}

function projected(out: Tensor, r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += (r[i] as number) * (out.data[i] as number);
  return s;
}

/** Indices of up to `max` entries of a length-n array, at random (all when n ≤ max). */
function pick(n: number, max: number, rng: Rng): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  return n <= max ? all : rng.shuffle(all).slice(0, max);
}

/**
 * Asserts that backward() through `build` matches central differences for every leaf.
 * `build` must be deterministic (re-seed any Rng inside it) and read the leaves' current data.
 */
export function gradCheck(name: string, build: () => Tensor, leaves: Record<string, Tensor>, opts: GradCheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 1e-2;
  const atol = opts.atol ?? 1e-3;
  const rng = new Rng(opts.seed ?? 12345);
  const out0 = build();
  const r = Float64Array.from({ length: out0.data.length }, () => rng.uniform(-1, 1));
  for (const t of Object.values(leaves)) t.grad = null;
  backward(project(build(), r));
  for (const [leafName, t] of Object.entries(leaves)) {
    assert.ok(t.grad, `${name}: no gradient reached ${leafName}`);
    const analytic = t.grad.slice();
    let scale = 1;
    for (const v of analytic) scale = Math.max(scale, Math.abs(v));
    const tolerance = (a: number, b: number): number => atol * scale + rtol * Math.max(Math.abs(a), Math.abs(b));
    const entries = pick(t.data.length, opts.maxEntries ?? 40, rng);
    let skipped = 0;
    for (const i of entries) {
      const numeric = centralDifference(t, i, eps, build, r);
      if (opts.kinks) {
        const fine = centralDifference(t, i, eps / 4, build, r);
        if (Math.abs(numeric - fine) > tolerance(numeric, fine)) {
          skipped++;
          continue;
        }
      }
      const a = analytic[i] as number;
      const err = Math.abs(a - numeric);
      const tol = tolerance(a, numeric);
      assert.ok(err <= tol, `${name}: d/d${leafName}[${i}] analytic ${a} vs numeric ${numeric} (|Δ| ${err.toExponential(2)} > ${tol.toExponential(2)})`);
    }
    assert.ok(skipped <= entries.length / 10, `${name}: ${skipped} of ${entries.length} entries of ${leafName} sit on a kink`);
  }
}

function centralDifference(t: Tensor, i: number, eps: number, build: () => Tensor, r: Float64Array): number {
  const v = t.data[i] as number;
  t.data[i] = v + eps;
  const xp = t.data[i] as number;
  const sp = projected(build(), r);
  t.data[i] = v - eps;
  const xm = t.data[i] as number;
  const sm = projected(build(), r);
  t.data[i] = v;
  return (sp - sm) / (xp - xm);
}

/** A [rows, cols] leaf with entries uniform in [lo, hi). */
export function randLeaf(rng: Rng, rows: number, cols: number, lo = -1, hi = 1): Tensor {
  const d = new Float32Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform(lo, hi);
  return Tensor.param(d, rows, cols);
}

/** Like randLeaf, but every |entry| ≥ gap (keeps ReLU inputs away from the kink at 0). */
export function randLeafAwayFromZero(rng: Rng, rows: number, cols: number, gap = 0.1): Tensor {
  const d = new Float32Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(gap, 1);
  return Tensor.param(d, rows, cols);
}

/** A random DAG on n nodes: node v > 0 gets 1–3 parents among 0..v−1; [2, E] as sources then targets. */
export function randomDag(rng: Rng, n: number): Int32Array {
  const src: number[] = [];
  const dst: number[] = [];
  for (let v = 1; v < n; v++) {
    for (let k = 1 + rng.int(3); k > 0; k--) {
      src.push(rng.int(v));
      dst.push(v);
    }
  }
  return Int32Array.from([...src, ...dst]);
}
