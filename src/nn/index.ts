/**
 * The neural-network core: reverse-mode autodiff on [rows, cols] Float32 tensors and the ops a
 * graph convolutional network (Kipf & Welling) needs, in the spirit of PyTorch Geometric.
 *
 *   x: [N, F] node features, edge_index: [2, E], batch: [N] graph of each node
 *   H' = ReLU(Â H W + b),  Â = D^-1/2 (A + I) D^-1/2;  g = mean_pool(H, batch);  CE(logits, y)
 */
export { Tensor, backward, parameter, result } from './autograd';
export { alloc, releaseArena, scoped } from './arena';
export { Rng, glorotUniform } from './random';
export { addBias, colSumAcc, concatCols, linear, matmul } from './dense';
export { gemmAcc, gemmAccScalar, gemmNtAcc, gemmNtAccScalar, gemmTnAcc, gemmTnAccScalar } from './gemm';
export { simdGemm } from './simd';
export { dropout, relu } from './activation';
export { gcnConv, type Activation } from './gcn-conv';
export { adjacencyUnion, EDGE_DIRECTIONS, gcnPropagate, normalizedAdjacency, propagate, spmm, type Csr, type EdgeDirection, type EdgeIndex, type NormalizedAdjacency } from './gcn-norm';
export { meanPool } from './pool';
export { disjointUnion, type GraphBatch, type GraphData } from './union';
export { crossEntropy, softmax, softmaxRows } from './cross-entropy';
export { Adam, type AdamOptions } from './adam';
