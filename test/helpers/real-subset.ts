/** A few real flowgad runs of every workflow, copied to a temp folder in the dataset layout. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATASET } from './neo4j';

export const WORKFLOWS = ['1000genome', 'nowcast-clustering-8', 'nowcast-clustering-16', 'wind-clustering-casa', 'wind-noclustering-casa'] as const;

/** The wind-noclustering instance whose runs ingest rejects (27 jobs against a 26-job template). */
const REJECTED_INSTANCE = '20200817T052029Z';

/**
 * `perWorkflow` runs of each workflow from each label folder in `labels`, as
 * <tmp>/adjacency_list_dags/*.json + <tmp>/data/<label>/*.csv. Returns the temp root.
 */
export function realSubset(labels: readonly string[], perWorkflow: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-real-'));
  fs.cpSync(path.join(DATASET, 'adjacency_list_dags'), path.join(root, 'adjacency_list_dags'), { recursive: true });
  for (const label of labels) {
    const from = path.join(DATASET, 'data', label);
    const files = fs.readdirSync(from).filter((f) => f.endsWith('.csv') && !f.includes(REJECTED_INSTANCE)).sort();
    fs.mkdirSync(path.join(root, 'data', label), { recursive: true });
    for (const wf of WORKFLOWS) {
      // "wind-clustering-casa_wind_wf-…", "1000genome-…": the workflow name, then a separator.
      for (const f of files.filter((f) => f.startsWith(`${wf}-`) || f.startsWith(`${wf}_`)).slice(0, perWorkflow)) {
        fs.copyFileSync(path.join(from, f), path.join(root, 'data', label, f));
      }
    }
  }
  return root;
}
