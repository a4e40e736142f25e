/**
 * `wfad report <run-id>`: a pegasus-analyzer-style account of one stored run, built from what
 * src/graph/run-report.ts reads. Pure functions (no I/O): the verdict from the stored prediction,
 * the slowest (critical) path through the DAG, per-job deviations from the workflow's normal runs,
 * and the jobs that drive the verdict.
 *
 * Critical path: the chain of jobs that set the run's end. Start from the job that finished last
 * and step to the parent that finished last, until a job without parents (what `pegasus-analyzer`
 * and `pegasus-statistics` users read as "what made this run long"). Jobs with no end time are
 * never on it.
 *
 * Deviation of a measurement x of job j: z = (x − median) / σ over the same template job in the
 * workflow's normal runs, with σ = max(1.4826 · MAD, 1 s): a robust spread, floored at the 1 s
 * resolution of Pegasus timestamps so a job that always takes the same time does not divide by 0.
 */
import { MEASURES, num, type Baseline, type Measure, type ReportRun, type StoredPrediction } from '../graph/run-report';

/** Fewer normal values than this for a job: no deviation is claimed. */
export const MIN_BASELINE = 3;
/** |z| at or above this is reported as a deviation. */
export const DEVIATION_Z = 3;

export interface Deviation {
  name: Measure;
  value: number;
  /** Median over the normal runs. */
  normal: number;
  /** (value − normal) / σ. */
  deviation: number;
}

export interface JobRow {
  name: string;
  type: string | null;
  /** The job's final state when the source stores it (submit directories), else null. */
  state: string | null;
  exitCode: number | null;
  retries: number | null;
  host: string | null;
  wmsDelay: number | null;
  queueDelay: number | null;
  runtime: number | null;
  postScriptDelay: number | null;
  cpuTime: number | null;
  onCriticalPath: boolean;
  prediction: { model: string; predicted: string; score: number } | null;
  /** Every measurement with a baseline, largest |deviation| first. */
  deviations: Deviation[];
}

export interface Driver {
  job: string;
  /** The model's contribution of this job to the verdict (explanations only). */
  contribution: number | null;
  features: Array<{ name: string; value: number | null; normal: number | null; deviation: number | null }>;
}

export interface RunReport {
  /** `state`: the run's own state when its source records one (submit directories: e.g. running), else null. */
  run: { id: string; workflow: string; label: string | null; category: string | null; state: string | null; startedAt: number | null; endedAt: number | null; jobs: number; edges: number };
  verdict: { model: string; level: string; task: string | null; active: boolean; predicted: string; score: number; probabilities: Record<string, number>; scoredAt: string | null } | null;
  /** Why there is no verdict, when there is none. */
  verdictNote: string | null;
  /** Other stored run-level predictions (other models), newest model first. */
  otherPredictions: Array<{ model: string; predicted: string; score: number }>;
  /** Seconds from the first job's ready/submit to the last job's end. */
  makespan: number | null;
  criticalPath: { seconds: number | null; jobs: Array<{ name: string; type: string | null; start: number | null; end: number | null; queueDelay: number | null; runtime: number | null }> };
  /** The jobs that drive the verdict: the model's explanation when stored, else the largest deviations. */
  drivers: { source: 'explanation' | 'deviation' | 'none'; note: string; jobs: Driver[] };
  baseline: { normalRuns: number };
  jobs: JobRow[];
}

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const endOf = (p: Record<string, unknown>): number | null => num(p.postScriptEnd) ?? num(p.executeEnd);
const startOf = (p: Record<string, unknown>): number | null => num(p.ready) ?? num(p.submit) ?? num(p.executeStart);

/** The chain of jobs that set the run's end (see the module comment); job ids, first to last. */
export function criticalPath(run: Pick<ReportRun, 'jobs' | 'edges'>): string[] {
  const end = new Map(run.jobs.map((j) => [j.id, endOf(j.props)]));
  const parents = new Map<string, string[]>();
  for (const [p, c] of run.edges) parents.set(c, [...(parents.get(c) ?? []), p]);
  const latest = (ids: string[]): string | null => {
    let best: string | null = null;
    for (const id of ids) {
      const e = end.get(id);
      if (e === null || e === undefined) continue;
      const b = best === null ? null : end.get(best);
      if (b === null || b === undefined || e > b || (e === b && id < (best as string))) best = id;
    }
    return best;
  };
  const path: string[] = [];
  const seen = new Set<string>();
  for (let cur = latest(run.jobs.map((j) => j.id)); cur !== null && !seen.has(cur); cur = latest(parents.get(cur) ?? [])) {
    seen.add(cur);
    path.push(cur);
  }
  return path.reverse();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Deviations of one job's measurements from its baseline columns, largest |z| first. */
export function deviations(props: Record<string, unknown>, columns: Array<number[]> | undefined): Deviation[] {
  if (!columns) return [];
  const out: Deviation[] = [];
  MEASURES.forEach((name, i) => {
    const value = num(props[name]);
    const col = columns[i] ?? [];
    if (value === null || col.length < MIN_BASELINE) return;
    const med = median(col);
    const sigma = Math.max(1.4826 * median(col.map((x) => Math.abs(x - med))), 1);
    out.push({ name, value, normal: med, deviation: (value - med) / sigma });
  });
  return out.sort((a, b) => Math.abs(b.deviation) - Math.abs(a.deviation));
}

/** The prediction to report: active models first, then multiclass before binary, then newest. */
export function pickPrediction(preds: StoredPrediction[], model?: string): StoredPrediction | null {
  if (model) return preds.find((p) => p.modelId === model) ?? null;
  const rank = (p: StoredPrediction): number => (p.active ? 0 : 2) + (p.task === 'multiclass' ? 0 : 1);
  return [...preds].sort((a, b) => rank(a) - rank(b) || String(b.scoredAt).localeCompare(String(a.scoredAt)))[0] ?? null;
}

/**
 * A stored explanation, when the prediction has one: `explanation` as a list (or its JSON text) of
 * {job, contribution, features: [{name, value, normal, deviation}]}, ranked. Anything else: null.
 */
export function storedExplanation(p: StoredPrediction | null): Driver[] | null {
  return explanationDrivers(p?.props.explanation);
}

/** An explanation (a list, or its JSON text) as drivers; null when it is none. */
export function explanationDrivers(raw: unknown): Driver[] | null {
  if (raw === undefined || raw === null) return null;
  let list: unknown = raw;
  if (typeof raw === 'string') {
    try {
      list = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(list)) return null;
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return list.map((e: Record<string, unknown>) => ({
    job: String(e.job ?? e.jobName ?? e.jobId ?? '?'),
    contribution: n(e.contribution),
    features: Array.isArray(e.features) ? (e.features as Array<Record<string, unknown>>).map((f) => ({ name: String(f.name), value: n(f.value), normal: n(f.normal), deviation: n(f.deviation) })) : [],
  }));
}

/**
 * `opts.explanation`: the chosen prediction's explanation computed from the model's normal profile
 * (score/explain-stored.ts) when none is stored with it.
 */
export function buildRunReport(run: ReportRun, baseline: Baseline, opts: { model?: string; drivers?: number; explanation?: unknown } = {}): RunReport {
  const byId = new Map(run.jobs.map((j) => [j.id, j]));
  const pathIds = criticalPath(run);
  const onPath = new Set(pathIds);
  const chosen = pickPrediction(run.runPredictions, opts.model);
  const nodeModel = (ps: StoredPrediction[]): StoredPrediction | null => pickPrediction(ps, undefined);

  const jobs: JobRow[] = run.jobs.map((j) => {
    const p = j.props;
    const jp = nodeModel(run.jobPredictions.get(j.id) ?? []);
    return {
      name: j.name,
      type: str(p.type),
      state: str(p.state),
      exitCode: num(p.exitCode),
      retries: num(p.retries),
      host: str(p.hostname ?? p.kickstartHostname),
      wmsDelay: num(p.wmsDelay),
      queueDelay: num(p.queueDelay),
      runtime: num(p.runtime),
      postScriptDelay: num(p.postScriptDelay),
      cpuTime: num(p.cpuTime),
      onCriticalPath: onPath.has(j.id),
      prediction: jp ? { model: jp.modelId, predicted: jp.predicted, score: jp.score } : null,
      deviations: deviations(p, baseline.values.get(j.key)),
    };
  });

  const starts = run.jobs.map((j) => startOf(j.props)).filter((x): x is number => x !== null);
  const ends = run.jobs.map((j) => endOf(j.props)).filter((x): x is number => x !== null);
  const pathJobs = pathIds.map((id) => byId.get(id)).filter((j): j is NonNullable<typeof j> => Boolean(j));
  const first = pathJobs[0];
  const last = pathJobs[pathJobs.length - 1];
  const pathStart = first ? startOf(first.props) : null;
  const pathEnd = last ? endOf(last.props) : null;

  const maxDrivers = opts.drivers ?? 5;
  const explained = storedExplanation(chosen) ?? (chosen ? explanationDrivers(opts.explanation) : null);
  let drivers: RunReport['drivers'];
  if (explained && explained.length) {
    drivers = { source: 'explanation', note: `the model's explanation of the prediction of ${chosen?.modelId}`, jobs: explained.slice(0, maxDrivers) };
  } else if (baseline.runs > 0) {
    const ranked = jobs
      .map((j) => ({ j, top: j.deviations.filter((d) => Math.abs(d.deviation) >= DEVIATION_Z) }))
      .filter((x) => x.top.length)
      .sort((a, b) => Math.abs(b.top[0]?.deviation ?? 0) - Math.abs(a.top[0]?.deviation ?? 0));
    drivers = {
      source: 'deviation',
      note: `${chosen ? 'the model has no explanation of this prediction: ' : ''}jobs deviating most (|z| ≥ ${DEVIATION_Z}) from the same jobs in ${baseline.runs} normal run(s) of ${run.workflow}`,
      jobs: ranked.slice(0, maxDrivers).map(({ j, top }) => ({ job: j.name, contribution: null, features: top.slice(0, 3) })),
    };
  } else {
    drivers = { source: 'none', note: `no explanation of the model, and no labelled normal run of ${run.workflow} to compare with (runs you know went fine: wfad label <run-id...> --as normal)`, jobs: [] };
  }

  return {
    run: {
      id: run.id,
      workflow: run.workflow,
      label: str(run.props.label),
      category: str(run.props.category),
      state: str(run.props.state),
      startedAt: num(run.props.startedAt),
      endedAt: num(run.props.endedAt),
      jobs: run.jobs.length,
      edges: run.edges.length,
    },
    verdict: chosen
      ? {
          model: chosen.modelId,
          level: chosen.level,
          task: chosen.task,
          active: chosen.active,
          predicted: chosen.predicted,
          score: chosen.score,
          probabilities: Object.fromEntries(chosen.classes.map((c, i) => [c, chosen.probabilities[i] ?? NaN])),
          scoredAt: chosen.scoredAt,
        }
      : null,
    verdictNote: chosen
      ? null
      : opts.model
        ? `model ${opts.model} has stored no prediction for this run (wfad score --model ${opts.model})`
        : `no model has scored this run yet (wfad score --workflow ${run.workflow}, with a model that covers it)`,
    otherPredictions: run.runPredictions.filter((p) => p !== chosen).map((p) => ({ model: p.modelId, predicted: p.predicted, score: p.score })),
    makespan: starts.length && ends.length ? Math.max(...ends) - Math.min(...starts) : null,
    criticalPath: {
      seconds: pathStart !== null && pathEnd !== null ? pathEnd - pathStart : null,
      jobs: pathJobs.map((j) => ({ name: j.name, type: str(j.props.type), start: startOf(j.props), end: endOf(j.props), queueDelay: num(j.props.queueDelay), runtime: num(j.props.runtime) })),
    },
    drivers,
    baseline: { normalRuns: baseline.runs },
    jobs,
  };
}
