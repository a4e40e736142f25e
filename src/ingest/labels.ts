/**
 * Ground truth from a run's folder name: `normal`, or `<category>_<level>` with category one of
 * cpu (cores taken by the contention), hdd (MB/s of disk contention), loss (percent packet loss).
 */
export const CATEGORIES = ['normal', 'cpu', 'hdd', 'loss'] as const;
export type Category = (typeof CATEGORIES)[number];

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
