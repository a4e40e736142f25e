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
