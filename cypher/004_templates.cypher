// 004: versioned DAG templates and sub-workflow links. A template by "<workflow>#<DAG hash>"; runs
// name their parent run (sub-workflows) by id, looked up when the parent arrives after the child.
CREATE CONSTRAINT template_id IF NOT EXISTS FOR (t:Template) REQUIRE t.id IS UNIQUE;
CREATE INDEX run_parent IF NOT EXISTS FOR (r:Run) ON (r.parentRunId);
CREATE INDEX job_label IF NOT EXISTS FOR (j:Job) ON (j.label);
