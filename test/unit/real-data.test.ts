/**
 * Parses every real run file of one label folder of the flowgad dataset, read in place (never
 * copied). Skipped when the dataset is not there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultDatasetPath } from '../../src/config';
import { loadTemplates } from '../../src/ingest/template';
import { parseRunFile, type ParsedRun, type Rejection } from '../../src/ingest/trace';
import { isRejection } from './fixtures';

const DATASET = defaultDatasetPath();
const LABEL_DIR = path.join(DATASET, 'data', 'normal');
const exists = fs.existsSync(path.join(DATASET, 'adjacency_list_dags')) && fs.existsSync(LABEL_DIR);
const skip = exists ? false : `flowgad dataset not found at ${DATASET} (set WFAD_DATASET)`;

describe('real data: data/normal', () => {
  it('every 1000genome run parses into the 57 jobs of its template; every other file parses or is rejected with a reason', { skip }, () => {
    const { templates, errors } = loadTemplates(path.join(DATASET, 'adjacency_list_dags'));
    assert.deepEqual(errors, []);
    assert.equal(templates.get('1000genome')?.jobs.length, 57);
    assert.equal(templates.get('1000genome')?.edges.length, 129);

    const files = fs.readdirSync(LABEL_DIR).filter((f) => f.endsWith('.csv')).sort();
    const genome = files.filter((f) => f.startsWith('1000genome-'));
    assert.ok(genome.length > 0, 'no 1000genome files in data/normal');

    const parsed: ParsedRun[] = [];
    const rejected: Rejection[] = [];
    for (const fileName of files) {
      const source = `data/normal/${fileName}`;
      const r = parseRunFile({ source, labelFolder: 'normal', fileName, bytes: fs.readFileSync(path.join(LABEL_DIR, fileName)) }, templates);
      if (isRejection(r)) {
        assert.equal(r.file, source);
        assert.ok(r.reason.length > 0);
        rejected.push(r);
      } else parsed.push(r);
    }
    assert.equal(parsed.length + rejected.length, files.length);

    const genomeRejected = rejected.filter((r) => r.workflow === '1000genome');
    assert.deepEqual(
      genomeRejected.map((r) => `${r.file}: ${r.code} ${r.reason}`),
      [],
    );
    const genomeRuns = parsed.filter((r) => r.workflow === '1000genome');
    assert.equal(genomeRuns.length, genome.length);
    for (const run of genomeRuns) {
      assert.equal(run.jobs.length, 57, run.id);
      assert.equal(run.truth?.category, 'normal');
      assert.equal(run.truth?.level, null);
      assert.ok(run.id.startsWith('normal/1000genome-'), run.id);
      assert.equal(`${run.instance}-run${String(run.runNumber).padStart(4, '0')}.csv`, run.id.slice('normal/'.length) + '.csv', run.id);
      assert.ok(run.startedAt !== null && run.endedAt !== null && run.endedAt > run.startedAt, run.id);
      // Jobs are in template order and every job has the fields a job cannot be placed in time without.
      run.jobs.forEach((j, i) => {
        assert.equal(j.index, i);
        assert.equal(typeof j.submit, 'number');
        assert.equal(typeof j.executeStart, 'number');
        assert.equal(typeof j.executeEnd, 'number');
      });
    }
    // Distinct runs have distinct content.
    assert.equal(new Set(genomeRuns.map((r) => r.contentHash)).size, genomeRuns.length);
  });
});
