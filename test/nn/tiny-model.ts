/**
 * A small graph classifier and synthetic data for the determinism and learning tests:
 *
 *   H1 = ReLU(Â X W1 + b1),  H2 = ReLU(Â H1 W2 + b2),  logits = mean_pool(dropout(H2)) W3 + b3
 */
import { Adam, Rng, Tensor, addBias, backward, crossEntropy, disjointUnion, dropout, gcnConv, gcnPropagate, linear, matmul, meanPool, normalizedAdjacency, parameter, relu, type GraphBatch, type GraphData, type NormalizedAdjacency } from '../../src/nn';
import { randomDag } from './gradcheck';

export class TinyGcn {
  readonly params: Tensor[];

  constructor(
    rng: Rng,
    readonly f: number,
    readonly h: number,
    readonly c: number,
    /** gcnConv for the first layer and separate ops for the second, so both are exercised */
    readonly dropoutP = 0,
  ) {
    this.params = [parameter(f, h, rng.glorot(f, h)), parameter(1, h), parameter(h, h, rng.glorot(h, h)), parameter(1, h), parameter(h, c, rng.glorot(h, c)), parameter(1, c)];
  }

  forward(b: GraphBatch, adj: NormalizedAdjacency, training: boolean, rng: Rng): Tensor {
    const [w1, b1, w2, b2, w3, b3] = this.params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const x = new Tensor(b.x, b.numNodes, this.f);
    const h1 = gcnConv(x, w1, b1, adj);
    const h2 = relu(addBias(gcnPropagate(matmul(h1, w2), adj), b2));
    return linear(meanPool(dropout(h2, this.dropoutP, training, rng), b.batch, b.numGraphs), w3, b3);
  }
}

/** Graphs of 5–15 nodes whose features are N(+1, 1) (class 1) or N(−1, 1) (class 0). */
export function twoClassGraphs(rng: Rng, count: number, f: number): { graphs: GraphData[]; labels: Int32Array } {
  const graphs: GraphData[] = [];
  const labels = new Int32Array(count);
  for (let g = 0; g < count; g++) {
    const y = g % 2;
    const n = 5 + rng.int(11);
    const x = Float32Array.from({ length: n * f }, () => rng.normal(y === 1 ? 1 : -1, 1));
    graphs.push({ numNodes: n, x, edgeIndex: randomDag(rng, n) });
    labels[g] = y;
  }
  return { graphs, labels };
}

/** Full-batch training; returns the model and the loss of each step. */
export function trainTiny(seed: number, steps: number, opts: { dropout?: number; lr?: number; weightDecay?: number } = {}): { model: TinyGcn; losses: number[]; batch: GraphBatch; adj: NormalizedAdjacency; labels: Int32Array } {
  const data = twoClassGraphs(new Rng(1234), 40, 3); // the data is fixed; only the model's seed varies
  const batch = disjointUnion(data.graphs, 3);
  const adj = normalizedAdjacency(batch.numNodes, batch.src, batch.dst, 'both');
  const rng = new Rng(seed);
  const model = new TinyGcn(rng, 3, 16, 2, opts.dropout ?? 0);
  const opt = new Adam(model.params, { lr: opts.lr ?? 0.01, weightDecay: opts.weightDecay ?? 0 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(batch, adj, true, rng), data.labels);
    backward(loss);
    opt.step();
    losses.push(loss.data[0] as number);
  }
  return { model, losses, batch, adj, labels: data.labels };
}
