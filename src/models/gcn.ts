/**
 * The detector: two GCN layers, then an MLP head (Jin et al., WORKS 2022).
 *
 *   H1 = ReLU(Â X W1 + b1)          X: [N, F] → [N, 64]
 *   H2 = ReLU(Â H1 W2 + b2)         → [N, 64]
 *   graph level: g = mean_pool(Z, batch) → [B, d];  job level: g = Z → [N, d]
 *   logits = W4 · ReLU(W3 g + b3) + b4  → [·, C]
 *
 * with Z = H2 for arch 'paper', and Z = H1 ‖ H2 (jumping-knowledge skip, d = 128) for arch 'skip'.
 * Knows nothing of Neo4j or GraphQL: inputs are typed arrays.
 */
import { Tensor } from '../nn/autograd';
import { dropout, relu } from '../nn/activation';
import { concatCols, linear } from '../nn/dense';
import { gcnConv } from '../nn/gcn-conv';
import { normalizedAdjacency, type EdgeDirection, type NormalizedAdjacency } from '../nn/gcn-norm';
import { meanPool } from '../nn/pool';
import { Rng } from '../nn/random';
import type { ModelLevel } from '../model-identity';

/** One verdict per run ('graph', mean pooling) or per job ('node'). */
export type Level = ModelLevel;
export type Arch = 'paper' | 'skip';
export const ARCHS: readonly Arch[] = ['paper', 'skip'];

export interface ModelConfig {
  level: Level;
  arch: Arch;
  inFeatures: number;
  hidden: number;
  numClasses: number;
  direction: EdgeDirection;
  dropout: number;
}

export interface ModelInput {
  numNodes: number;
  /** [N, F] */
  x: Float32Array;
  /** [E] each */
  src: Int32Array;
  dst: Int32Array;
  /** [N] graph of each node (graph level) */
  batch: Int32Array;
  numGraphs: number;
  /** x already holds Â X (a trainer computes it once per graph: it does not depend on the weights). */
  xPropagated?: boolean;
}

/** Parameter names in a fixed order: the saved weights and the ONNX export use it. */
export const PARAM_NAMES = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'mlp1.weight', 'mlp1.bias', 'mlp2.weight', 'mlp2.bias'] as const;

export class GcnModel {
  readonly params: Map<string, Tensor>;

  constructor(
    readonly config: ModelConfig,
    seed: number,
  ) {
    const { inFeatures: f, hidden: h, numClasses: c } = config;
    const d = config.arch === 'skip' ? 2 * h : h;
    const rng = new Rng(seed);
    const w = (i: number, o: number): Tensor => Tensor.param(rng.glorot(i, o), i, o);
    const b = (o: number): Tensor => Tensor.param(new Float32Array(o), 1, o);
    this.params = new Map([
      ['conv1.weight', w(f, h)],
      ['conv1.bias', b(h)],
      ['conv2.weight', w(h, h)],
      ['conv2.bias', b(h)],
      ['mlp1.weight', w(d, h)],
      ['mlp1.bias', b(h)],
      ['mlp2.weight', w(h, c)],
      ['mlp2.bias', b(c)],
    ]);
  }

  p(name: (typeof PARAM_NAMES)[number]): Tensor {
    return this.params.get(name) as Tensor;
  }

  parameters(): Tensor[] {
    return [...this.params.values()];
  }

  adjacency(input: ModelInput): NormalizedAdjacency {
    return normalizedAdjacency(input.numNodes, input.src, input.dst, this.config.direction);
  }

  /** logits: [B, C] (graph level) or [N, C] (job level). */
  forward(input: ModelInput, training = false, rng?: Rng, adj: NormalizedAdjacency = this.adjacency(input)): Tensor {
    const drop = (t: Tensor): Tensor => (training && rng ? dropout(t, this.config.dropout, true, rng) : t);
    const x = new Tensor(input.x, input.numNodes, this.config.inFeatures);
    const h1 = gcnConv(x, this.p('conv1.weight'), this.p('conv1.bias'), adj, 'relu', input.xPropagated === true);
    const h2 = gcnConv(drop(h1), this.p('conv2.weight'), this.p('conv2.bias'), adj, 'relu');
    const z = this.config.arch === 'skip' ? concatCols([h1, h2]) : h2;
    const g = this.config.level === 'graph' ? meanPool(z, input.batch, input.numGraphs) : z;
    const hidden = relu(linear(drop(g), this.p('mlp1.weight'), this.p('mlp1.bias')));
    return linear(hidden, this.p('mlp2.weight'), this.p('mlp2.bias'));
  }

  /** Weights as plain arrays (for JSON), in PARAM_NAMES order. */
  exportWeights(): Record<string, { shape: [number, number]; data: number[] }> {
    const out: Record<string, { shape: [number, number]; data: number[] }> = {};
    for (const [k, t] of this.params) out[k] = { shape: [t.rows, t.cols], data: Array.from(t.data) };
    return out;
  }

  importWeights(w: Record<string, { shape: [number, number]; data: number[] }>): void {
    for (const [k, t] of this.params) {
      const src = w[k];
      if (!src || src.data.length !== t.data.length) throw new Error(`weights: ${k} missing or of the wrong size`);
      t.data.set(src.data);
    }
  }
}
