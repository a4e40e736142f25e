/**
 * Reference figures from Jin et al., "Workflow Anomaly Detection with Graph Neural Networks"
 * (WORKS 2022), copied for side-by-side comparison in `wfad reproduce`. The paper itself is not
 * open access; these are the accuracy tables of the authors' WORKS'22 presentation (test accuracy,
 * GNN models). The paper's F1/precision/recall cells and its Table VI baselines were not available
 * to us, so the report shows ours without a reference there and says so.
 */
export const PAPER_WORKFLOWS = ['1000genome', 'nowcast-clustering-8', 'nowcast-clustering-16', 'wind-clustering-casa', 'wind-noclustering-casa', 'ALL'] as const;

/** Accuracy: [graph binary, graph multiclass, job binary, job multiclass] (Tables II and III). */
export const PAPER_ACCURACY: Record<(typeof PAPER_WORKFLOWS)[number], [number, number, number, number]> = {
  '1000genome': [0.921, 0.852, 0.87, 0.743],
  'nowcast-clustering-8': [0.815, 0.683, 0.798, 0.59],
  'nowcast-clustering-16': [0.828, 0.593, 0.801, 0.487],
  'wind-clustering-casa': [0.769, 0.434, 0.775, 0.389],
  'wind-noclustering-casa': [0.817, 0.586, 0.789, 0.472],
  ALL: [0.841, 0.674, 0.829, 0.594],
};

/** Accuracy by anomaly category, graph level (Table IV): cpu, hdd, loss. */
export const PAPER_BY_CATEGORY: Record<string, [number, number, number]> = {
  '1000genome': [1.0, 0.981, 0.772],
  'nowcast-clustering-8': [0.763, 0.968, 0.719],
  'nowcast-clustering-16': [0.745, 0.825, 0.79],
  'wind-clustering-casa': [0.544, 0.779, 0.693],
  'wind-noclustering-casa': [0.784, 0.967, 0.784],
};

/** Accuracy by HDD level (Table V, the cells available to us): hdd_60, hdd_100. */
export const PAPER_BY_LEVEL: Record<string, Record<string, number>> = {
  '1000genome': { hdd_60: 0.927, hdd_100: 0.985 },
  'nowcast-clustering-8': { hdd_60: 0.985, hdd_100: 0.985 },
};
