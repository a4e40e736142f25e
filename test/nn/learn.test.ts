/**
 * The pieces learn together: a 2-layer GCN + mean pool + linear classifier separates graphs whose
 * node features have mean +1 from graphs whose features have mean −1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, softmax } from '../../src/nn';
import { trainTiny } from './tiny-model';

describe('learning', () => {
  it('reaches > 95% training accuracy within 200 Adam steps, and the loss falls', () => {
    const { model, losses, batch, adj, labels } = trainTiny(3, 200, { lr: 0.01 });
    const p = softmax(model.forward(batch, adj, false, new Rng(0)));
    let correct = 0;
    for (let g = 0; g < labels.length; g++) if (((p[2 * g + 1] as number) > (p[2 * g] as number) ? 1 : 0) === labels[g]) correct++;
    const acc = correct / labels.length;
    assert.ok(acc > 0.95, `training accuracy ${acc}`);
    const first = losses[0] as number;
    const last = losses[losses.length - 1] as number;
    assert.ok(last < 0.25 * first, `loss ${first} → ${last}`);
  });
});
