/**
 * Ground truth from a run's folder name: `normal`, or `<category>_<level>` with category one of
 * cpu (cores taken by the contention), hdd (MB/s of disk contention), loss (percent packet loss).
 */
export const CATEGORIES = ['normal', 'cpu', 'hdd', 'loss'] as const;
export type Category = (typeof CATEGORIES)[number];
/** How counts and filters name the runs of unknown truth (no category): `runsByCategory`, `wfad stats`, the API's run filter. */
export const UNLABELLED = 'unlabelled';

export interface RunLabel {
  /** The folder name as given, e.g. `hdd_60`, `loss_0.1`, `normal`. */
  label: string;
  category: Category;
  /** The anomaly's strength; null for normal runs. */
  level: number | null;
}

const LABEL_RE = /^(cpu|hdd|loss)_(\d+(?:\.\d+)?)$/;

/** Returns null when the folder is not a label this platform knows. */
export function parseLabel(folder: string): RunLabel | null {
  if (folder === 'normal') return { label: folder, category: 'normal', level: null };
  const m = LABEL_RE.exec(folder);
  if (!m) return null;
  return { label: folder, category: m[1] as Category, level: Number(m[2]) };
}

/**
 * A folder name meant as a label but not one (`Normal`, `cpu-3`, `hdd_`, `loss_x`): rejected rather
 * than stored unlabelled, since a typo would otherwise silently lose the truth of every run in it.
 * Any other folder name (`runs`, `2024-06`) simply carries no truth.
 */
export function looksLikeLabel(folder: string): boolean {
  return parseLabel(folder) === null && /^(normal|cpu|hdd|loss)(?![a-z])/i.test(folder);
}

/** A per-job truth cell (Flow-Bench `anomaly_type`): `None` = the job ran unaffected, else a label. */
export function parseJobTruth(cell: string): RunLabel | null {
  if (cell === 'None' || cell === 'normal') return { label: 'normal', category: 'normal', level: null };
  return parseLabel(cell);
}

/** The category of a stored label (`cpu_3` → `cpu`), null for unknown truth. */
export function categoryOf(label: string | null): Category | null {
  return label === null ? null : (parseLabel(label)?.category ?? null);
}
