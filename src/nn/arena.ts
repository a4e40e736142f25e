/**
 * Step-scoped buffers. Inside `scoped(fn)`, `alloc(n)` hands out zeroed Float32Arrays from free
 * lists, and every buffer handed out is taken back when fn returns; outside a scope `alloc(n)` is
 * `new Float32Array(n)`. A training step allocates the same shapes every time (activations,
 * gradients, temporaries: megabytes per batch): fresh typed arrays for each step made a quarter
 * of training time garbage collection, as their external memory forces full collections.
 *
 * Whatever fn allocates must not outlive it (read results out before returning). Buffers are
 * classed by power-of-two capacity; `releaseArena()` drops the free lists (end of training).
 */

/** Below this many floats V8's own allocation is as cheap (on-heap, young generation). */
const MIN_POOLED = 1024;

const free = new Map<number, ArrayBuffer[]>();
let live: ArrayBuffer[] | null = null;

function capacityOf(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

/** A zeroed [n] buffer: pooled inside `scoped`, plain outside. */
export function alloc(n: number): Float32Array {
  if (live === null || n < MIN_POOLED) return new Float32Array(n);
  const cap = capacityOf(n);
  const buf = free.get(cap)?.pop() ?? new ArrayBuffer(cap * 4);
  live.push(buf);
  const a = new Float32Array(buf, 0, n);
  a.fill(0);
  return a;
}

/** Runs fn; every buffer `alloc` handed out meanwhile is reused afterwards. Scopes nest. */
export function scoped<T>(fn: () => T): T {
  const outer = live;
  const mine: ArrayBuffer[] = [];
  live = mine;
  try {
    return fn();
  } finally {
    live = outer;
    for (const buf of mine) {
      const cap = buf.byteLength / 4;
      const list = free.get(cap);
      if (list) list.push(buf);
      else free.set(cap, [buf]);
    }
  }
}

/** Drops the free buffers (the memory goes back to the garbage collector). */
export function releaseArena(): void {
  free.clear();
}
