/** A tiny dataset in the flowgad layout, written to a temp folder, for integration tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HEADER =
  ',type,is_clustered,ready,pre_script_start,pre_script_end,submit,execute_start,execute_end,post_script_start,post_script_end,wms_delay,pre_script_delay,queue_delay,runtime,post_script_delay,stage_in_delay,stage_in_bytes,stage_out_delay,stage_out_bytes,kickstart_user,kickstart_site,kickstart_hostname,kickstart_transformations,kickstart_executables,kickstart_executables_argv,kickstart_executables_cpu_time,kickstart_status,kickstart_executables_exitcode';

/** 3-job DAG: create_dir → compute → cleanup. */
export const TEMPLATE = {
  'create_dir_mini-T0_0_condorpool': ['work_ID01'],
  work_ID01: ['cleanup_mini-T0_0_condorpool'],
  'cleanup_mini-T0_0_condorpool': [],
};

export function runCsv(instance: string, t0: number, runtime = 10): string {
  const row = (name: string, type: string, start: number, rt: number): string =>
    [name, type, 0, start, '', '', start + 1, start + 2, start + 2 + rt, start + 2 + rt, start + 3 + rt, 1, '', 1, rt, 1, '', '', '', '', 'u', 'condorpool', 'w1', 't', 'e', '', rt / 2, 0, 0].join(',');
  return [
    HEADER,
    row(`create_dir_${instance}_0_condorpool`, 'auxiliary', t0, 1),
    row('work_ID01', 'compute', t0 + 10, runtime),
    row(`cleanup_${instance}_0_condorpool`, 'auxiliary', t0 + 30 + runtime, 1),
  ].join('\n') + '\n';
}

/** Writes `<tmp>/adjacency_list_dags/mini.json` and the given files under `<tmp>/data/`. */
export function miniDataset(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wfad-mini-'));
  fs.mkdirSync(path.join(root, 'adjacency_list_dags'));
  fs.writeFileSync(path.join(root, 'adjacency_list_dags', 'mini.json'), JSON.stringify(TEMPLATE));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, 'data', rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return root;
}
