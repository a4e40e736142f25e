// 002: lookup indexes for the filters analysts and the API use most.
CREATE INDEX run_workflow IF NOT EXISTS FOR (r:Run) ON (r.workflow);
CREATE INDEX run_label IF NOT EXISTS FOR (r:Run) ON (r.label);
CREATE INDEX run_category IF NOT EXISTS FOR (r:Run) ON (r.category);
CREATE INDEX run_started IF NOT EXISTS FOR (r:Run) ON (r.startedAt);
CREATE INDEX job_run IF NOT EXISTS FOR (j:Job) ON (j.runId);
