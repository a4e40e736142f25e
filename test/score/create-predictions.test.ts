/**
 * A model's first scoring pass CREATEs its predictions; a pass that meets predictions already stored
 * (a re-score, or two passes at once) never duplicates one: each target keeps exactly one
 * prediction per model, with one HAS_PREDICTION and one BY_MODEL relationship.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Graph } from '../../src/graph/driver';
import { createsPredictions, registerModel, writePredictions, type PredictionRow } from '../../src/graph/predictions';
import { ingest } from '../../src/ingest/pipeline';
import { runId, syntheticDataset } from '../api/harness';
import { count, testGraph, wipe } from '../helpers/neo4j';

const MODEL = { id: 'first-pass@1', name: 'first-pass', version: '1', workflow: 'ALL', level: 'graph', task: 'binary', classes: ['normal', 'anomalous'], metrics: '{}', path: '/nowhere' } as const;
const rows = (score: number): PredictionRow[] => [0, 1, 2].map((i) => ({ targetId: runId(i), predicted: 'normal', score, probabilities: [1 - score, score] }));

describe('prediction writes: CREATE on a first pass, never a duplicate', () => {
  let graph: Graph;
  before(async () => {
    graph = testGraph();
    await wipe(graph);
    const data = syntheticDataset(3);
    try {
      await ingest(graph, data);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
    await registerModel(graph, { ...MODEL, classes: [...MODEL.classes] });
  });
  after(async () => graph.close());

  const stored = async (): Promise<{ predictions: number; links: number; scores: number[] }> => ({
    predictions: await count(graph, 'MATCH (p:Prediction {modelId: $id}) RETURN count(p)', { id: MODEL.id }),
    links: await count(graph, 'MATCH (:Run)-[:HAS_PREDICTION]->(:Prediction {modelId: $id})-[:BY_MODEL]->(:Model {id: $id}) RETURN count(*)', { id: MODEL.id }),
    scores: (await graph.read((tx) => tx.run('MATCH (p:Prediction {modelId: $id}) RETURN p.score AS s ORDER BY s', { id: MODEL.id }))).records.map((r) => r.get('s') as number),
  });

  it('creates when the model has none, then falls back to MERGE when they exist', async () => {
    assert.equal(await createsPredictions(graph, MODEL.id), true);
    const mode = { create: true };
    assert.equal(await writePredictions(graph, MODEL.id, 'graph', rows(0.25), new Date().toISOString(), mode), 3);
    assert.equal(mode.create, true, 'no stored prediction was met');
    assert.deepEqual(await stored(), { predictions: 3, links: 3, scores: [0.25, 0.25, 0.25] });
    assert.equal(await createsPredictions(graph, MODEL.id), false);

    // A pass that began while none existed (a concurrent one) meets them: replaced, not duplicated.
    assert.equal(await writePredictions(graph, MODEL.id, 'graph', rows(0.75), new Date().toISOString(), mode), 3);
    assert.equal(mode.create, false, 'later batches of the pass MERGE');
    assert.deepEqual(await stored(), { predictions: 3, links: 3, scores: [0.75, 0.75, 0.75] });
  });

  it('an unregistered model cannot create', async () => {
    assert.equal(await createsPredictions(graph, 'nobody@1'), false);
  });
});
