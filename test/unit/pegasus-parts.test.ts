/**
 * The pieces of the Pegasus reader on hand-made input (no dataset needed): job timelines and
 * final states, exit codes, DAG files, cycles, names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { templateJobName } from '../../src/ingest/names';
import { parseBraindump } from '../../src/ingest/pegasus/braindump';
import { parseDagFile } from '../../src/ingest/pegasus/dag-file';
import { rawToRegular, timeline, type JobEvent } from '../../src/ingest/pegasus/job-timeline';
import { findCycle } from '../../src/ingest/dag';
import { buildRun, type ReadJob } from '../../src/ingest/pegasus/run-builder';
import { typeFromName } from '../../src/ingest/pegasus/stampede-schema';
import { runNumberOf, subwfJobFor } from '../../src/ingest/pegasus/submit-names';

const ev = (...xs: Array<[string, number]>): JobEvent[] => xs.map(([state, ts], seq) => ({ state, ts, seq }));

describe('job timeline (pegasus-statistics definitions)', () => {
  it('computes times and delays from the events of one instance', () => {
    const t = timeline(ev(['SUBMIT', 100], ['GRID_SUBMIT', 104], ['EXECUTE', 110], ['JOB_TERMINATED', 130], ['JOB_SUCCESS', 133], ['POST_SCRIPT_STARTED', 133], ['POST_SCRIPT_TERMINATED', 135], ['POST_SCRIPT_SUCCESS', 140]), null, null);
    assert.deepEqual(
      [t.submit, t.executeStart, t.executeEnd, t.queueDelay, t.runtime, t.postScriptStart, t.postScriptEnd, t.postScriptDelay, t.state],
      [100, 110, 130, 4, 20, 133, 135, 2, 'succeeded'],
    );
  });

  it('the recorded local_duration is the runtime when there is one', () => {
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_TERMINATED', 9]), 5, 0).runtime, 5);
  });

  it('final states: held, aborted, failed by the POST script, and none yet', () => {
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_HELD', 3]), null, null).state, 'held');
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_HELD', 3], ['JOB_RELEASED', 4], ['EXECUTE', 5], ['JOB_TERMINATED', 6], ['JOB_SUCCESS', 7]), null, null).state, 'succeeded');
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_HELD', 3], ['JOB_ABORTED', 9], ['POST_SCRIPT_STARTED', 10], ['POST_SCRIPT_FAILURE', 12]), null, null).state, 'aborted');
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_TERMINATED', 3], ['JOB_SUCCESS', 4], ['POST_SCRIPT_STARTED', 4], ['POST_SCRIPT_FAILED', 6]), null, null).state, 'failed');
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2]), null, null).state, null);
    assert.equal(timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_TERMINATED', 3], ['JOB_SUCCESS', 4], ['POST_SCRIPT_STARTED', 4]), null, null).state, null, 'POST script still running');
    const aborted = timeline(ev(['SUBMIT', 1], ['EXECUTE', 2], ['JOB_ABORTED', 8]), null, null);
    assert.deepEqual([aborted.state, aborted.executeEnd, aborted.runtime], ['aborted', 8, 6]);
  });

  it('raw exit status → exit code (Pegasus raw_to_regular)', () => {
    assert.deepEqual([0, 256, 512, 9, 1, -1].map(rawToRegular), [0, 1, 2, -9, -1, -128]);
  });
});

describe('DAG files and cycles', () => {
  it('reads JOB, SUBDAG EXTERNAL and multi-parent/multi-child PARENT lines, case-insensitively', () => {
    const d = parseDagFile('# c\nJOB a a.sub\njob b b.sub DIR x\nSUBDAG EXTERNAL s s.dag\nSCRIPT POST a x\nPARENT a b CHILD s\nparent s child a2\nJOB a2 a2.sub\n');
    assert.ok(!('reason' in d));
    assert.deepEqual(d.nodes.map((n) => [n.name, n.subdag]), [['a', false], ['b', false], ['s', true], ['a2', false]]);
    assert.deepEqual(d.edges, [['a', 's'], ['b', 's'], ['s', 'a2']]);
    assert.equal(d.nodes[1]?.submitFile, 'x/b.sub', 'a DIR is where the submit file is');
  });

  it('names the line of a statement it cannot read', () => {
    assert.deepEqual(parseDagFile('JOB a a.sub\nPARENT a\n'), { line: 2, reason: 'PARENT … CHILD … needs at least one parent and one child: "PARENT a"' });
  });

  it('finds a cycle and returns it in edge order; none in a DAG', () => {
    assert.deepEqual(findCycle(4, [[0, 1], [1, 2], [2, 3], [3, 1]]), [1, 2, 3, 1]);
    assert.deepEqual(findCycle(2, [[1, 1]]), [1, 1]);
    assert.equal(findCycle(4, [[0, 1], [0, 2], [1, 3], [2, 3]]), null);
  });

  it('a run with a job defined twice is a named rejection', () => {
    const job = (name: string): ReadJob => ({ name, type: 'compute', typeHow: null, isClustered: 0, instances: 0, events: [], localDuration: null, exitRaw: null, exitCode: null, site: null, hostname: null, user: null, cpuTime: null, kickstartDuration: null, transformations: null, executables: null, argv: null });
    const r = buildRun({ kind: 'jobstate-log', source: 'x', uuid: 'u', label: 'w', runNumber: null, starts: [1], terminal: { ts: 2, status: 0 }, jobs: [job('a'), job('a')], edges: [], parent: null, missingColumns: [] });
    assert.ok('code' in r && r.code === 'BAD_DAG' && r.job === 'a');
  });
});

describe('Pegasus names', () => {
  it('the workflow label in an auxiliary job name becomes {workflow}; other names stay', () => {
    assert.equal(templateJobName('create_dir_montage-7_0_local', 'montage-7'), 'create_dir_{workflow}_0_local');
    assert.equal(templateJobName('stage_worker_local_hierarchical-workflow_0_local', 'hierarchical-workflow'), 'stage_worker_local_{workflow}_0_local');
    assert.equal(templateJobName('process_ID0000001', 'process'), 'process_ID0000001');
    assert.equal(templateJobName('register_local_0_0', 'process'), 'register_local_0_0');
  });

  it('types from job names when nothing else tells', () => {
    assert.deepEqual(['stage_in_local_local_0_0', 'stage_inter_a_b_0', 'clean_up_local_level_3_0', 'register_local_1_0', 'chmod_x_0', 'pegasus-plan_sub', 'subdax_x', 'my_task_ID01'].map(typeFromName), [
      'transfer', 'transfer', 'auxiliary', 'auxiliary', 'auxiliary', 'subwf', 'subwf', 'compute',
    ]);
  });

  it('run numbers from folder names', () => {
    assert.deepEqual(['run0001', 'run0013', 'diamond-7', 'process_wf_success', 'x.000'].map(runNumberOf), [1, 13, 7, null, null]);
  });

  it('the parent job of a sub-workflow from its folder name, only when unambiguous', () => {
    assert.equal(subwfJobFor('blackdiamond_diamond_subworkflow.000', ['pegasus-plan_diamond_subworkflow', 'pegasus-plan_other']), 'pegasus-plan_diamond_subworkflow');
    assert.equal(subwfJobFor('inner.001', ['subdax_inner']), 'subdax_inner');
    assert.equal(subwfJobFor('x_a.000', ['pegasus-plan_a', 'subdax_a']), null);
  });

  it('braindump: YAML and the older text form', () => {
    assert.deepEqual(parseBraindump('wf_uuid: "u1"\nroot_wf_uuid: "u0"\ndax_label: "wf"\ndag: "wf-0.dag"\ngrid_dn: null\n'), { wfUuid: 'u1', rootWfUuid: 'u0', daxLabel: 'wf', dag: 'wf-0.dag', submitDir: null });
    assert.equal(parseBraindump('wf_uuid u2\ndax_label wf\n').wfUuid, 'u2');
  });
});
