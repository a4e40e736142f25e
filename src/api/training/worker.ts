/**
 * Training worker thread: reads the runs, trains (src/train/trainer.ts), saves the model and
 * reports progress, so the API's event loop keeps answering while the CPU trains.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { labelledSamples } from '../../features/dataset';
import { openGraph } from '../../graph/driver';
import { readRuns } from '../../graph/read-runs';
import { exportModelDir } from '../../onnx/model-file';
import { saveModel } from '../../train/model-store';
import { train } from '../../train/trainer';
import type { TrainMessage, TrainRequest } from './messages';

const post = (m: TrainMessage): void => parentPort?.postMessage(m);

async function main(req: TrainRequest): Promise<void> {
  const graph = openGraph(req.conn);
  let runs;
  try {
    runs = await readRuns(graph, req.workflow === 'ALL' ? { labelled: true } : { workflows: [req.workflow], labelled: true });
  } finally {
    await graph.close();
  }
  if (runs.length === 0) throw new Error(`no stored labelled runs for workflow "${req.workflow}"`);
  const samples = labelledSamples(runs);
  post({ type: 'loaded', runs: samples.length });
  const result = train(samples, req.config, (e) => post({ type: 'epoch', epoch: e.epoch, trainLoss: e.trainLoss, valAccuracy: e.valAccuracy }));
  const card = saveModel(req.dir, req.name, req.workflow, samples, result);
  // The ONNX file live predictions load (src/inference).
  exportModelDir(req.dir);
  post({
    type: 'done',
    model: { id: `${card.name}@${card.version}`, name: card.name, version: card.version, workflow: card.workflow, level: card.level, task: card.task, classes: card.classes, metrics: card.metrics, path: req.dir },
  });
}

main(workerData as TrainRequest).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
