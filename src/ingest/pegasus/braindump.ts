/**
 * `braindump.yml` (Pegasus 5; `braindump.txt` before): the planner's note of what a submit
 * directory holds. Flat `key: "value"` lines (YAML) or `key value` lines (txt); only the keys the
 * readers use are kept.
 */
export interface Braindump {
  wfUuid: string | null;
  rootWfUuid: string | null;
  daxLabel: string | null;
  /** The .dag file's name. */
  dag: string | null;
  submitDir: string | null;
}

const KEYS: Record<string, keyof Braindump> = { wf_uuid: 'wfUuid', root_wf_uuid: 'rootWfUuid', dax_label: 'daxLabel', dag: 'dag', submit_dir: 'submitDir' };

export function parseBraindump(text: string): Braindump {
  const out: Braindump = { wfUuid: null, rootWfUuid: null, daxLabel: null, dag: null, submitDir: null };
  for (const raw of text.split(/\r?\n/)) {
    const m = /^([A-Za-z_]+)(?::\s*|\s+)(.*)$/.exec(raw.trim());
    if (!m) continue;
    const key = KEYS[m[1] as string];
    if (!key) continue;
    const v = (m[2] as string).trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
    out[key] = v === '' || v === 'null' ? null : v;
  }
  return out;
}
