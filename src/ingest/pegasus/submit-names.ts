/**
 * What Pegasus's naming of submit folders tells: the run number (`run0007`, `<name>-7`) and which
 * job of a parent workflow ran a sub-workflow whose folder is `<label>_<job suffix>.NNN`
 * (Pegasus 5: job `pegasus-plan_<suffix>`; Pegasus 4: `subdax_<suffix>` / `subdag_<suffix>`).
 */

/** `run0001` → 1, `diamond-12` → 12; anything else → null. */
export function runNumberOf(dirName: string): number | null {
  const m = /(?:^run|-)(\d{1,9})$/.exec(dirName);
  return m ? Number(m[1]) : null;
}

const SUBWF_PREFIX = /^(pegasus-plan|subdax|subdag)_/;

/**
 * The parent's job that ran a sub-workflow, found from the sub-workflow's folder name when the
 * database does not link them: the job whose name without its prefix ends that folder's name
 * (retry suffix `.NNN` removed). Null when none or several match.
 */
export function subwfJobFor(subDirName: string, candidates: readonly string[]): string | null {
  const base = subDirName.replace(/\.\d+$/, '');
  if (base === '') return null;
  const hits = candidates.filter((name) => {
    const suffix = name.replace(SUBWF_PREFIX, '');
    return suffix !== '' && (base === suffix || base.endsWith(`_${suffix}`));
  });
  return hits.length === 1 ? (hits[0] as string) : null;
}
