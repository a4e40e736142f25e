/**
 * Mini-batches for training and evaluation: whole graphs as one disjoint union (nn/union.ts, PyG's
 * `Batch.from_data_list`):
 *
 *   x: [N, F] (graphs' scaled features stacked), src, dst: [E] (node ids offset per graph),
 *   batch: [N] (graph of each node), ptr: [B + 1] (first node of each graph, then N).
 *
 * A packed training batch (packed-graphs.ts) has the same shape without its own feature count.
 */
import { disjointUnion, type GraphBatch, type GraphData } from '../nn/union';

export type GraphInput = GraphData;
export type Batch = Omit<GraphBatch, 'numFeatures'>;

/** `graphs` as one graph of `numFeatures` features per node (checked: every x is [n, numFeatures]). */
export function makeBatch(graphs: readonly GraphInput[], numFeatures: number): Batch {
  return disjointUnion(graphs, numFeatures);
}
