/**
 * A trained model on disk, under models/<name>/:
 *   model.json   config, classes, feature names, scaler, metrics, training curve, data fingerprint
 *   weights.bin  float32 little-endian, parameters in PARAM_NAMES order (shapes in model.json)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { GraphSample } from '../features/dataset';
import { FEATURE_NAMES } from '../features/job-features';
import type { ScalerState } from '../features/scaler';
import { GcnModel, PARAM_NAMES, type ModelConfig } from '../models/gcn';
import type { NormalOnlyState } from '../models/normal-only';
import type { NormalProfile } from '../models/normal-profile';
import type { ModelIdentity } from '../model-identity';
import type { Metrics } from './metrics';
import type { EpochLog, TrainConfig, TrainResult } from './trainer';

export interface ModelCard extends ModelIdentity {
  /** Absent in models saved before the normal-only detector existed: supervised. */
  detector?: 'supervised';
  features: string[];
  model: ModelConfig;
  training: TrainConfig;
  scaler: ScalerState;
  params: Array<{ name: string; shape: [number, number] }>;
  metrics: { val: Metrics; test: Metrics };
  curve: EpochLog[];
  epochs: number;
  bestEpoch: number;
  seconds: number;
  /** workflows: those the training runs came from (cards written before it was recorded lack it). */
  data: { runs: number; jobs: number; fingerprint: string; workflows?: string[] };
  trainedAt: string;
  /** The normal profile of the training split's normal runs: what explanations compare jobs with. */
  profile?: NormalProfile;
  /** Runs held out for testing (what `wfad evaluate` scores by default). */
  testRuns?: string[];
}

/** model.json of a normal-only detector (no weights file: its state is the profile and thresholds). */
export interface NormalOnlyCard extends ModelIdentity {
  detector: 'normal-only';
  task: 'binary';
  features: string[];
  normalOnly: NormalOnlyState;
  training: {
    seed: number;
    falseAlarmRate: number;
    assumeNormal: boolean;
    trainRuns: number;
    validationRuns: number;
    budget: number | null;
    /** Runs of unknown truth --assume-normal left out: they failed or were still running. */
    leftOut?: Array<{ runId: string; workflow: string; state: string }>;
  };
  metrics: { val: Metrics | null; test: Metrics };
  seconds: number;
  data: { runs: number; jobs: number; fingerprint: string; workflows?: string[] };
  trainedAt: string;
  testRuns: string[];
}

export type AnyModelCard = ModelCard | NormalOnlyCard;

/** A version string: UTC time of saving and the data fingerprint. */
export function versionOf(fp: string): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${fp.slice(0, 8)}`;
}

export function saveNormalOnly(dir: string, card: NormalOnlyCard): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'weights.bin'), { force: true });
  fs.writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(card, null, 1)}\n`);
}

/** model.json of a saved model folder, either detector. */
export function readCard(dir: string): AnyModelCard {
  return JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as AnyModelCard;
}

/** sha256 over the runs' ids and raw feature bytes: the same data gives the same fingerprint. */
export function fingerprint(samples: readonly GraphSample[]): string {
  const h = createHash('sha256');
  for (const s of [...samples].sort((a, b) => (a.runId < b.runId ? -1 : 1))) {
    h.update(s.runId);
    h.update(Buffer.from(s.x.buffer, s.x.byteOffset, s.x.byteLength));
  }
  return h.digest('hex');
}

export function saveModel(dir: string, name: string, workflow: string, samples: readonly GraphSample[], r: TrainResult, extra: Pick<ModelCard, 'profile' | 'testRuns'> = {}): ModelCard {
  fs.mkdirSync(dir, { recursive: true });
  const fp = fingerprint(samples);
  const card: ModelCard = {
    name,
    version: versionOf(fp),
    workflow,
    level: r.config.level,
    task: r.config.task,
    classes: [...r.classes],
    features: FEATURE_NAMES,
    model: r.model.config,
    training: r.config,
    scaler: r.scaler,
    params: PARAM_NAMES.map((p) => {
      const t = r.model.p(p);
      return { name: p, shape: [t.rows, t.cols] as [number, number] };
    }),
    metrics: { val: r.val, test: r.test },
    curve: r.curve,
    epochs: r.epochs,
    bestEpoch: r.bestEpoch,
    seconds: Number(r.seconds.toFixed(2)),
    data: { runs: samples.length, jobs: samples.reduce((a, s) => a + s.numNodes, 0), fingerprint: fp, workflows: [...new Set(samples.map((s) => s.workflow))].sort() },
    trainedAt: new Date().toISOString(),
    ...extra,
  };
  const parts = PARAM_NAMES.map((p) => r.model.p(p).data);
  const buf = Buffer.alloc(parts.reduce((a, d) => a + d.byteLength, 0));
  let off = 0;
  for (const d of parts) {
    for (let i = 0; i < d.length; i++, off += 4) buf.writeFloatLE(d[i] as number, off);
  }
  fs.writeFileSync(path.join(dir, 'weights.bin'), buf);
  fs.writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(card, null, 1)}\n`);
  return card;
}

export function loadModel(dir: string): { card: ModelCard; model: GcnModel } {
  const card = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelCard;
  const model = new GcnModel(card.model, 0);
  const buf = fs.readFileSync(path.join(dir, 'weights.bin'));
  let off = 0;
  for (const p of PARAM_NAMES) {
    const t = model.p(p);
    for (let i = 0; i < t.data.length; i++, off += 4) t.data[i] = buf.readFloatLE(off);
  }
  if (off !== buf.length) throw new Error(`${dir}/weights.bin has ${buf.length} bytes, the model needs ${off}`);
  return { card, model };
}
