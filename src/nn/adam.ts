/**
 * Adam (Kingma & Ba) with PyTorch's `weight_decay` (L2 added to the gradient):
 *
 *   g ← g + λθ;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
 *   θ ← θ − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)
 */
import type { Tensor } from './autograd';

export interface AdamOptions {
  lr?: number;
  /** (β1, β2) as in torch.optim.Adam; beta1/beta2 win when given too. */
  betas?: [number, number];
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  readonly lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  private readonly wd: number;

  constructor(
    readonly params: Tensor[],
    opts: AdamOptions = {},
  ) {
    this.lr = opts.lr ?? 1e-3;
    this.b1 = opts.beta1 ?? opts.betas?.[0] ?? 0.9;
    this.b2 = opts.beta2 ?? opts.betas?.[1] ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.wd = opts.weightDecay ?? 0;
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad?.fill(0);
  }

  step(): void {
    this.t++;
    const c1 = 1 - this.b1 ** this.t;
    const c2 = 1 - this.b2 ** this.t;
    const { b1, b2, lr, eps, wd } = this; // locals: the loop runs over every weight each step
    for (let k = 0; k < this.params.length; k++) {
      const g = (this.params[k] as Tensor).grad;
      if (!g) continue;
      const m = this.m[k] as Float32Array;
      const v = this.v[k] as Float32Array;
      const th = (this.params[k] as Tensor).data;
      for (let i = 0; i < th.length; i++) {
        const gi = (g[i] as number) + wd * (th[i] as number);
        const mi = b1 * (m[i] as number) + (1 - b1) * gi;
        const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        th[i] = (th[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
      }
    }
  }
}
