/**
 * Reverse-mode automatic differentiation over 2-D Float32 tensors.
 *
 * A Tensor holds `data: [rows, cols]` row-major, and, when it takes part in a gradient, `grad`
 * of the same shape. Each op records its parents and a `backward` closure that adds the op's
 * vector-Jacobian product into the parents' grads. `backward(loss)` runs those closures in reverse
 * topological order. Graphs are rebuilt every step (define-by-run, like PyTorch).
 */
import { alloc } from './arena';

export class Tensor {
  grad: Float32Array | null = null;
  /** Adds this op's contribution to the parents' grads, reading `this.grad`. */
  backwardFn: (() => void) | null = null;

  constructor(
    readonly data: Float32Array,
    readonly rows: number,
    readonly cols: number,
    readonly parents: readonly Tensor[] = [],
    readonly requiresGrad = false,
  ) {
    if (data.length !== rows * cols) throw new Error(`tensor data has ${data.length} values, shape [${rows}, ${cols}] needs ${rows * cols}`);
  }

  /** [rows, cols] */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  static zeros(rows: number, cols: number): Tensor {
    return new Tensor(new Float32Array(rows * cols), rows, cols);
  }

  /** A trainable leaf (weights, biases). */
  static param(data: Float32Array, rows: number, cols: number): Tensor {
    return new Tensor(data, rows, cols, [], true);
  }

  /** The grad buffer, allocated (zeroed) on first use; a step's own (arena.ts) unless a parameter's. */
  gradBuffer(): Float32Array {
    if (this.grad === null) this.grad = this.requiresGrad ? new Float32Array(this.data.length) : alloc(this.data.length);
    return this.grad;
  }

  /** grad += g; a first contribution is copied rather than added to a zeroed buffer. */
  addGrad(g: Float32Array): void {
    if (this.grad === null) {
      this.grad = this.requiresGrad ? g.slice() : alloc(g.length);
      this.grad.set(g);
      return;
    }
    const d = this.grad;
    for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) + (g[i] as number);
  }

  /** Whether any gradient must flow into this tensor. */
  get tracks(): boolean {
    return this.requiresGrad || this.backwardFn !== null;
  }
}

/** A trainable [rows, cols] leaf, zero-filled unless `data` is given (PyTorch's `nn.Parameter`). */
export function parameter(rows: number, cols: number, data: Float32Array = new Float32Array(rows * cols)): Tensor {
  return Tensor.param(data, rows, cols);
}

/** Output tensor of an op: tracks gradients when any input does. */
export function result(data: Float32Array, rows: number, cols: number, parents: Tensor[], backward: (out: Tensor) => void): Tensor {
  const out = new Tensor(data, rows, cols, parents);
  if (parents.some((p) => p.tracks)) out.backwardFn = () => backward(out);
  return out;
}

/** Back-propagates from a scalar `loss` ([1, 1]) into every tensor it depends on. */
export function backward(loss: Tensor): void {
  if (loss.data.length !== 1) throw new Error('backward() needs a scalar loss');
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative post-order DFS: graphs are deep enough (one node per op) to avoid recursion.
  const stack: Array<[Tensor, number]> = [[loss, 0]];
  seen.add(loss);
  while (stack.length) {
    const top = stack[stack.length - 1] as [Tensor, number];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1] = i + 1;
      const p = t.parents[i] as Tensor;
      if (!seen.has(p) && p.tracks) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  loss.gradBuffer()[0] = 1;
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k] as Tensor;
    if (t.backwardFn && t.grad) t.backwardFn();
  }
}
