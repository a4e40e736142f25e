/**
 * Ranking metrics from scores against hand-computed cases, ties included (ROC-AUC counts a tied
 * positive/negative pair one half; AP enters a tied group at once; P@k splits a tie straddling k).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision, classRanking, precisionAtK, rocAuc } from '../../src/train/ranking';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

describe('ranking metrics', () => {
  // scores 0.9 0.8 0.8 0.3 0.1, truth + − + − +  (P = 3, N = 2)
  const s = [0.9, 0.8, 0.8, 0.3, 0.1];
  const y = [1, 0, 1, 0, 1];

  it('ROC-AUC: pairs won + ½ pairs tied over P·N', () => {
    // (0.9 > 0.8, 0.3), (0.8+ = 0.8−: ½), (0.8+ > 0.3), (0.1 < both): 3.5 / 6
    close(rocAuc(s, y), 3.5 / 6);
    close(rocAuc([3, 2, 1], [1, 1, 0]), 1);
    close(rocAuc([1, 2, 3], [1, 1, 0]), 0);
    close(rocAuc([5, 5, 5, 5], [1, 0, 1, 0]), 0.5);
  });

  it('average precision: Σ ΔR·P over distinct thresholds, a tie entering at once', () => {
    // 0.9: R 1/3, P 1; 0.8 (two items): R 2/3, P 2/3; 0.3: no positive; 0.1: R 1, P 3/5
    close(averagePrecision(s, y), (1 / 3) * 1 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 5));
    close(averagePrecision([3, 2, 1], [1, 1, 0]), 1);
  });

  it('precision@k: k = positives by default, a tie straddling k shared', () => {
    // k = 3: 0.9 (+) and the 0.8 pair (one +) fill the top 3: 2 / 3
    close(precisionAtK(s, y), 2 / 3);
    // k = 2: 0.9 (+) and half of the tied pair's one positive: 1.5 / 2
    close(precisionAtK(s, y, 2), 0.75);
  });

  it('undefined without positives or negatives: NaN, not a made-up value', () => {
    assert.ok(Number.isNaN(rocAuc([1, 2], [0, 0])));
    assert.ok(Number.isNaN(rocAuc([1, 2], [1, 1])));
    assert.ok(Number.isNaN(averagePrecision([1, 2], [0, 0])));
    assert.throws(() => rocAuc([1, NaN], [0, 1]), /NaN/);
  });

  it('multiclass: one-vs-rest per class, macro mean; the anomaly score 1 − P(normal) for P@k', () => {
    const classes = ['normal', 'cpu', 'hdd'];
    // rows [P(normal), P(cpu), P(hdd)]
    const prob = [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4];
    const t = [0, 1, 2, 1];
    const r = classRanking(prob, t, classes);
    // normal vs rest: 0.8 above 0.2, 0.1, 0.3 → 1; cpu: scores .1 .7 .3 .3, positives .7 .3 vs .1 .3 → (1 + 1 + 1 + ½) / 4
    close(r.perClass?.normal?.rocAuc as number, 1);
    close(r.perClass?.cpu?.rocAuc as number, 3.5 / 4);
    // hdd: positive 0.6 vs 0.1 0.1 0.4 → 1
    close(r.perClass?.hdd?.rocAuc as number, 1);
    close(r.rocAuc, (1 + 3.5 / 4 + 1) / 3);
    close(r.precisionAtK, 1);
    const b = classRanking([0.9, 0.1, 0.4, 0.6, 0.6, 0.4], [0, 1, 0], ['normal', 'anomalous']);
    close(b.rocAuc, 1);
  });
});
