/**
 * Job-name matching. Auxiliary jobs carry the run's own instance id in their names
 * (`create_dir_<instance>_0_condorpool`, `cleanup_<instance>_0_condorpool`), so a run's names
 * differ from its template's. `auxKey` replaces the instance id by a placeholder so that the two
 * can be compared; every other job name is its own key.
 */
const AUX_RE = /^(create_dir|cleanup)_(.+)_(\d+)_([A-Za-z0-9]+)$/;

export function auxKey(name: string): string {
  const m = AUX_RE.exec(name);
  return m ? `${m[1]}_{instance}_${m[3]}_${m[4]}` : name;
}

/** The instance id an auxiliary job name carries, or null for other jobs. */
export function auxInstance(name: string): string | null {
  const m = AUX_RE.exec(name);
  return m ? (m[2] as string) : null;
}

/**
 * The same idea for any source that knows the run's own name: Pegasus puts the workflow's label
 * and its index into the names of the jobs it adds (`create_dir_<label>_<index>_<site>`,
 * `cleanup_<label>_<index>_<site>`, `stage_worker_local_<label>_<index>_<site>`). The label there
 * becomes `{workflow}`, so the job keeps one template name whatever the run was labelled.
 * Only a label between `_` and `_<digits>_` is replaced: a compute job named like the workflow
 * (`process_ID0000001`) keeps its name.
 */
export function templateJobName(name: string, label: string): string {
  if (label === '') return name;
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return name.replace(new RegExp(`(?<=_)${esc}(?=_\\d+_)`, 'g'), '{workflow}');
}
