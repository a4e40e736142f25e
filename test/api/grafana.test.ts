/**
 * examples/grafana: every query of the dashboard, as Grafana's GraphQL Data Source plugin
 * (fifemon-graphql-datasource 1.3) sends it, against the live API. The test applies Grafana's
 * variable substitution ($__from, $__to, $__interval, $__interval_ms, the dashboard's $workflow
 * variable, itself resolved by running its own query), then reads each response the way the plugin
 * does: the data path (comma-separated paths, relative to `data`) must hold an array of rows (or one
 * object), nested fields are flattened into dot-separated names, the time path must hold
 * parseable times, and the fields a panel plots must be numbers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../src/config';
import { auth, gql, startHarness, STEP, T0, type Harness } from './harness';

const DIR = path.join(PROJECT_ROOT, 'examples', 'grafana');
const RUNS = 32;

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  queryText: string;
  dataPath: string;
  timePath?: string;
  groupBy?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  interval?: string;
  maxDataPoints?: number;
  datasource: { type: string; uid: string };
  targets: Target[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; datasource: { uid: string }; query: { queryText: string; dataPath: string } }> };
}

const dashboard = JSON.parse(fs.readFileSync(path.join(DIR, 'wfad-dashboard.json'), 'utf8')) as Dashboard;

/** Grafana's nice intervals (rangeutil.roundInterval picks among such steps), in seconds. */
const NICE = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 7 * 86400, 30 * 86400];
const UNITS: Array<[number, string]> = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
const parseSeconds = (s: string): number => {
  const m = /^(\d+)(s|m|h|d)$/.exec(s);
  assert.ok(m, `interval ${s}`);
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2] as string]!;
};

/** $__interval as Grafana computes it: range / maxDataPoints, rounded up to a nice step, at least the panel's min interval. */
export function grafanaInterval(fromMs: number, toMs: number, panel: Pick<Panel, 'interval' | 'maxDataPoints'>): { text: string; ms: number } {
  const raw = (toMs - fromMs) / 1000 / (panel.maxDataPoints ?? 1000);
  const nice = NICE.find((n) => n >= raw) ?? (NICE[NICE.length - 1] as number);
  const seconds = Math.max(nice, panel.interval ? parseSeconds(panel.interval) : 0);
  const [unit, suffix] = UNITS.find(([u]) => seconds % u === 0) as [number, string];
  return { text: `${seconds / unit}${suffix}`, ms: seconds * 1000 };
}

/** Grafana's substitution of the variables this dashboard uses ($x, ${x}, [[x]]); fails on any left over. */
export function substitute(text: string, vars: Record<string, string>): string {
  const out = text.replace(/\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (all, a: string | undefined, b: string | undefined, c: string | undefined) => {
    const name = (a ?? b ?? c) as string;
    return name in vars ? (vars[name] as string) : all;
  });
  assert.doesNotMatch(out, /\$\{?\w|\[\[\w/, `a variable is left unsubstituted in:\n${out}`);
  return out;
}

/** The plugin's flattening: nested objects become dot-separated field names. */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** The rows the plugin builds from a response: per comma-separated data path, an array's items or the one object. */
function rows(data: Record<string, unknown>, dataPath: string): Array<Record<string, unknown>> {
  const all: Array<Record<string, unknown>> = [];
  for (const p of dataPath.split(',').map((s) => s.trim())) {
    let v: unknown = data;
    for (const seg of p.split('.')) v = (v as Record<string, unknown> | null)?.[seg];
    assert.ok(v !== undefined && v !== null, `data path ${p} resolves to nothing`);
    const items = Array.isArray(v) ? v : [v];
    for (const item of items) all.push(flatten(item as Record<string, unknown>));
  }
  return all;
}

const parseTime = (v: unknown): number => (typeof v === 'number' ? v : Date.parse(String(v)));

let h: Harness;
before(async () => {
  h = await startHarness(RUNS);
  // What `npm start` / `wfad score` leave: every run scored by the active graph-level model.
  const s = await gql(h.url, 'mutation { scoreRuns { runsScored } }', undefined, auth());
  assert.equal(s.errors, undefined, s.raw);
  assert.equal(s.data?.scoreRuns.runsScored, RUNS);
});
after(async () => {
  await h?.close();
});

describe('examples/grafana: the dashboard against the live API', () => {
  it('is provisioned for the GraphQL data source plugin, and every panel uses that data source', () => {
    const yaml = fs.readFileSync(path.join(DIR, 'provisioning', 'datasources', 'wfad.yaml'), 'utf8');
    assert.match(yaml, /^\s*type: fifemon-graphql-datasource\b/m);
    const uid = /^\s*uid: (\S+)/m.exec(yaml)?.[1];
    assert.ok(uid);
    assert.match(yaml, /^\s*url: http:\/\/127\.0\.0\.1:4000\/graphql\b/m);
    const refs = [...dashboard.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]), ...dashboard.templating.list.map((v) => v.datasource)];
    for (const r of refs) assert.equal(r.uid, uid);
    const kinds = new Set(dashboard.panels.map((p) => p.type));
    for (const k of ['timeseries', 'piechart', 'table']) assert.ok(kinds.has(k), `a ${k} panel`);
    const dashProvider = fs.readFileSync(path.join(DIR, 'provisioning', 'dashboards', 'wfad.yaml'), 'utf8');
    assert.match(dashProvider, /^\s*type: file\b/m);
  });

  for (const [label, fromMs, toMs] of [
    ['the runs\' 5 hours', (T0 - 3600) * 1000, (T0 + RUNS * STEP + 3600) * 1000],
    ['a year around them', (T0 - 200 * 86400) * 1000, (T0 + 165 * 86400) * 1000],
  ] as const) {
    it(`answers every panel's exact query over ${label} in the shape the plugin reads`, async () => {
      // The workflow variable: its own query, its values as the plugin lists them.
      const variable = dashboard.templating.list.find((v) => v.name === 'workflow');
      assert.ok(variable);
      const vr = await gql(h.url, variable.query.queryText);
      assert.equal(vr.errors, undefined, vr.raw);
      const options = rows(vr.data as Record<string, unknown>, variable.query.dataPath).flatMap((r) => Object.values(r).map(String));
      assert.ok(options.includes('mini'), `variable options ${options.join(', ')}`);

      let checked = 0;
      for (const panel of dashboard.panels) {
        const interval = grafanaInterval(fromMs, toMs, panel);
        const vars = { __from: String(fromMs), __to: String(toMs), __interval: interval.text, __interval_ms: String(interval.ms), workflow: 'mini' };
        for (const t of panel.targets) {
          const r = await gql(h.url, substitute(t.queryText, vars));
          assert.equal(r.status, 200, `${panel.title}: ${r.raw}`);
          assert.equal(r.errors, undefined, `${panel.title}: ${r.raw}`);
          const table = rows(r.data as Record<string, unknown>, t.dataPath);
          assert.ok(table.length > 0, `${panel.title}: no rows`);
          const timeField = t.timePath || 'Time';
          for (const row of table) {
            assert.ok(Number.isFinite(parseTime(row[timeField])), `${panel.title}: time ${String(row[timeField])} at ${timeField}`);
            if (t.groupBy) assert.equal(typeof row[t.groupBy], 'string', `${panel.title}: group-by field ${t.groupBy}`);
          }
          if (panel.type === 'timeseries' || panel.type === 'piechart') {
            // Everything else in a row is a value Grafana plots: numbers only.
            for (const row of table) {
              for (const [k, v] of Object.entries(row)) if (k !== timeField && k !== t.groupBy) assert.equal(typeof v, 'number', `${panel.title}: field ${k} = ${JSON.stringify(v)}`);
            }
            const times = table.map((row) => parseTime(row[timeField]));
            assert.ok(times.every((x) => x >= fromMs - interval.ms && x < toMs), `${panel.title}: times inside the range`);
            // Every run of the range is counted once: by category (points) or in `total` (buckets).
            const counted = table.reduce((a, row) => a + Number(row.count ?? row.total ?? 0), 0);
            assert.equal(counted, RUNS, `${panel.title}: runs counted`);
            if ('category' in (table[0] ?? {})) assert.ok(!table.some((row) => row.category === 'unscored' && Number(row.count) > 0), 'every run scored');
          }
          if (panel.type === 'table') {
            assert.ok(table.length <= 20);
            const scores = table.map((row) => row['prediction.score']);
            for (const s of scores) assert.ok(typeof s === 'number' && s >= 0 && s <= 1, `${panel.title}: score ${String(s)}`);
            assert.deepEqual(scores, [...scores].sort((a, b) => Number(b) - Number(a)), 'most anomalous first');
            for (const row of table) assert.equal(typeof row.id, 'string');
          }
          checked++;
        }
      }
      assert.equal(checked, dashboard.panels.reduce((a, p) => a + p.targets.length, 0));
    });
  }
});
