/**
 * The work on one shard of a mini-batch (a subset of its graphs), the same code on every thread:
 *
 *   trainShard:  loss_s = Σ_{i ∈ s} w[y_i] · CE_i / D   (D: the whole batch's Σ w[y_i]), then
 *                ∂loss_s/∂θ into `grads` (zeroed first);  Σ_s ∂loss_s/∂θ is the batch's gradient
 *   shardLogits: logits of the shard's graphs (graph level: [B, C]; job level: [n, C])
 *
 * A shard's dropout masks come from its own seed, so the result does not depend on which thread
 * ran it.
 */
import type { GcnModel } from '../models/gcn';
import { scoped } from '../nn/arena';
import { backward } from '../nn/autograd';
import { crossEntropy } from '../nn/cross-entropy';
import { Rng } from '../nn/random';
import { gather, gatherMask, gatherTargets, GatherScratch, type PackedGraphs } from './packed-graphs';

export interface ShardContext {
  model: GcnModel;
  pack: PackedGraphs;
  classWeights: Float32Array | undefined;
  scratch: GatherScratch;
}

export function shardContext(model: GcnModel, pack: PackedGraphs, classWeights: Float32Array | undefined): ShardContext {
  return { model, pack, classWeights, scratch: new GatherScratch() };
}

/** Forward and backward on `graphs`; the parameters' gradients land in `grads` (PARAM order). Returns loss_s. */
export function trainShard(ctx: ShardContext, graphs: ArrayLike<number>, seed: number, denominator: number, grads: readonly Float32Array[]): number {
  const params = ctx.model.parameters();
  params.forEach((p, k) => {
    const g = grads[k] as Float32Array;
    g.fill(0);
    p.grad = g;
  });
  return scoped(() => {
    const { batch, adj } = gather(ctx.pack, graphs, ctx.scratch);
    const logits = ctx.model.forward(batch, true, new Rng(seed), adj);
    const loss = crossEntropy(logits, gatherTargets(ctx.pack, graphs, ctx.scratch), ctx.classWeights, gatherMask(ctx.pack, graphs, 0), denominator);
    backward(loss);
    return loss.data[0] as number;
  });
}

/** Logits of `graphs` (evaluation) written to `out` from row 0; returns the row count. */
export function shardLogits(ctx: ShardContext, graphs: ArrayLike<number>, out: Float32Array): number {
  return scoped(() => {
    const { batch, adj } = gather(ctx.pack, graphs, ctx.scratch);
    const logits = ctx.model.forward(batch, false, undefined, adj);
    out.set(logits.data);
    return logits.rows;
  });
}

/** D = Σ w[y_i] over the rows of `graphs` the loss counts (training split rows at job level). */
export function lossDenominator(pack: PackedGraphs, graphs: ArrayLike<number>, classWeights: Float32Array | undefined): number {
  const w = (y: number): number => (classWeights ? (classWeights[y] as number) : 1);
  let d = 0;
  for (let b = 0; b < graphs.length; b++) {
    const g = graphs[b] as number;
    if (!pack.nodeTarget) {
      d += w(pack.graphTarget[g] as number);
      continue;
    }
    for (let i = pack.nodePtr[g] as number; i < (pack.nodePtr[g + 1] as number); i++) if (!pack.nodeSplit || pack.nodeSplit[i] === 0) d += w(pack.nodeTarget[i] as number);
  }
  return d;
}

/** Where a batch splits into two shards of about equal node counts (a function of the batch alone). */
export function halfByNodes(pack: PackedGraphs, graphs: ArrayLike<number>): number {
  if (graphs.length < 2) return graphs.length;
  const size = (b: number): number => (pack.nodePtr[(graphs[b] as number) + 1] as number) - (pack.nodePtr[graphs[b] as number] as number);
  let total = 0;
  for (let b = 0; b < graphs.length; b++) total += size(b);
  let acc = 0;
  let cut = 0;
  while (cut < graphs.length - 1 && 2 * (acc + size(cut)) <= total) acc += size(cut++);
  return Math.max(cut, 1);
}
