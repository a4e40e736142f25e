/**
 * model.onnx beside a saved model's weights (src/train/model-store.ts), and its metadata read back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import type { ScalerState } from '../features/scaler';
import type { ModelConfig } from '../models/gcn';
import { loadModel, type ModelCard, type NormalOnlyCard } from '../train/model-store';
import { WfadError } from '../errors';
import type { ModelIdentity } from '../model-identity';
import type { NormalOnlyState } from '../models/normal-only';
import type { NormalProfile } from '../models/normal-profile';
import { META, gcnToOnnx } from './gcn-onnx';
import { NORMAL_ONLY_META, normalOnlyToOnnx } from './normal-only-onnx';

/** Metadata key of the normal profile a supervised model carries for explanations. */
export const PROFILE_META = 'normal_profile';

export const ONNX_FILE = 'model.onnx';

/** What inference reads from an exported file's metadata_props. */
export interface OnnxModelMeta extends ModelIdentity {
  featureNames: string[];
  inputFeatures: string[];
  /** 'supervised' (a GCN; scaler and modelConfig set) or 'normal-only' (normalOnly set). */
  detector: 'supervised' | 'normal-only';
  scaler: ScalerState | null;
  modelConfig: ModelConfig | null;
  normalOnly: NormalOnlyState | null;
  /** The normal profile explanations compare jobs with (normal-only: its own; GCN: when saved with one). */
  profile: NormalProfile | null;
  opset: number;
  irVersion: number;
}

/** The ONNX bytes of a saved model (card + weights). */
export function onnxOfCard(card: ModelCard, model: Parameters<typeof gcnToOnnx>[0]): Uint8Array {
  return gcnToOnnx(model, { name: card.name, version: card.version, workflow: card.workflow, task: card.task, classes: card.classes, features: card.features, scaler: card.scaler, profile: card.profile });
}

/** Writes <dir>/model.onnx from <dir>/model.json + weights.bin; returns its path and size. */
export function exportModelDir(dir: string): { file: string; bytes: number; card: ModelCard | NormalOnlyCard } {
  if (!fs.existsSync(path.join(dir, 'model.json'))) {
    throw new WfadError('BAD_INPUT', `${dir} is not a saved model: no model.json (train one with \`wfad train\`)`);
  }
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelCard | NormalOnlyCard;
  let card: ModelCard | NormalOnlyCard;
  let bytes: Uint8Array;
  if (raw.detector === 'normal-only') {
    card = raw;
    bytes = normalOnlyToOnnx(raw.normalOnly, { name: raw.name, version: raw.version, workflow: raw.workflow, features: raw.features });
  } else {
    const loaded = loadModel(dir);
    card = loaded.card;
    bytes = onnxOfCard(loaded.card, loaded.model);
  }
  const file = path.join(dir, ONNX_FILE);
  // Write then rename: a reader never sees half a file.
  fs.writeFileSync(`${file}.tmp`, bytes);
  fs.renameSync(`${file}.tmp`, file);
  return { file, bytes: bytes.length, card };
}

/** Decodes the metadata of an ONNX file written by gcnToOnnx; names the missing key otherwise. */
export function readOnnxMeta(bytes: Uint8Array, source = 'model.onnx'): OnnxModelMeta {
  let m: onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new WfadError('BAD_MODEL', `${source} is not an ONNX model: ${(err as Error).message}`);
  }
  const props = new Map(m.metadataProps.map((p) => [p.key, p.value]));
  const get = (k: string): string => {
    const v = props.get(k);
    if (v === undefined || v === null) throw new WfadError('BAD_MODEL', `${source}: metadata_props has no "${k}" (export it with \`wfad export --model <dir>\`)`);
    return v;
  };
  const json = <T>(k: string): T => {
    try {
      return JSON.parse(get(k)) as T;
    } catch (err) {
      if (err instanceof WfadError) throw err;
      throw new WfadError('BAD_MODEL', `${source}: metadata "${k}" is not valid JSON`);
    }
  };
  const level = get(META.level);
  const task = get(META.task);
  if (level !== 'graph' && level !== 'node') throw new WfadError('BAD_MODEL', `${source}: metadata level=${JSON.stringify(level)}, expected graph or node`);
  if (task !== 'binary' && task !== 'multiclass') throw new WfadError('BAD_MODEL', `${source}: metadata task=${JSON.stringify(task)}, expected binary or multiclass`);
  const detector = props.get(NORMAL_ONLY_META.detector) === 'normal-only' ? 'normal-only' : 'supervised';
  const normalOnly = detector === 'normal-only' ? json<NormalOnlyState>(NORMAL_ONLY_META.state) : null;
  return {
    detector,
    normalOnly,
    profile: normalOnly ? normalOnly.profile : props.has(PROFILE_META) ? json<NormalProfile>(PROFILE_META) : null,
    name: get(META.name),
    version: get(META.version),
    workflow: get(META.workflow),
    level,
    task,
    classes: json<string[]>(META.classes),
    featureNames: json<string[]>(META.featureNames),
    inputFeatures: json<string[]>(META.inputFeatures),
    scaler: normalOnly ? null : json<ScalerState>(META.scaler),
    modelConfig: normalOnly ? null : json<ModelConfig>(META.modelConfig),
    opset: Number(m.opsetImport.find((o) => !o.domain)?.version ?? 0),
    irVersion: Number(m.irVersion),
  };
}
