/**
 * `npm run models`: trains the platform's default models into models/ with the CLI, one
 * `wfad train` per model (DEFAULT_CONFIG), each writing model.json, weights.bin, model.onnx and
 * MODEL_CARD.md (with the exact command). Needs the dataset ingested in the Neo4j that wfad
 * points at (`npm start`).
 *
 *   npm run models [-- --only NAME[,NAME]] [-- --missing] [-- --epochs N]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config';

export interface DefaultModel {
  name: string;
  args: string[];
}

/** The shipped models: graph and job level over every workflow, plus the 1000genome model the inference bench uses. */
export const DEFAULT_MODELS: DefaultModel[] = [
  { name: 'ALL-graph-binary', args: ['--workflow', 'all', '--level', 'graph', '--task', 'binary'] },
  { name: 'ALL-graph-multiclass', args: ['--workflow', 'all', '--level', 'graph', '--task', 'multiclass'] },
  { name: 'ALL-node-binary', args: ['--workflow', 'all', '--level', 'node', '--task', 'binary'] },
  { name: 'ALL-node-multiclass', args: ['--workflow', 'all', '--level', 'node', '--task', 'multiclass'] },
  { name: '1000genome-graph-binary', args: ['--workflow', '1000genome', '--level', 'graph', '--task', 'binary'] },
];

function main(): number {
  const argv = process.argv.slice(2);
  const opt = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = opt('--only')?.split(',');
  const epochs = opt('--epochs');
  const missing = argv.includes('--missing');
  const unknown = only?.filter((n) => !DEFAULT_MODELS.some((m) => m.name === n)) ?? [];
  if (unknown.length) {
    console.error(`train-default-models: unknown model ${unknown.join(', ')}; known: ${DEFAULT_MODELS.map((m) => m.name).join(', ')}`);
    return 2;
  }
  const todo = DEFAULT_MODELS.filter((m) => (!only || only.includes(m.name)) && !(missing && fs.existsSync(path.join(PROJECT_ROOT, 'models', m.name, 'model.onnx'))));
  for (const m of todo) {
    const args = ['train', ...m.args, ...(epochs ? ['--epochs', epochs] : [])];
    console.error(`== wfad ${args.join(' ')}`);
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'wfad.js'), ...args], { stdio: 'inherit', cwd: PROJECT_ROOT });
    if (r.status !== 0) {
      console.error(`train-default-models: ${m.name} failed (exit ${r.status})`);
      return r.status ?? 1;
    }
  }
  console.error(`trained ${todo.length} model(s) into ${path.join(PROJECT_ROOT, 'models')}`);
  return 0;
}

if (require.main === module) process.exit(main());
