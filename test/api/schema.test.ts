/** The committed SDL (schema/schema.graphql) is what the code builds; JobInput matches the trace columns. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { isInputObjectType } from 'graphql';
import { apiSchema, printApiSchema, SCHEMA_FILE } from '../../src/api/schema';
import { COLUMNS } from '../../src/ingest/columns';

describe('GraphQL schema', () => {
  it('schema/schema.graphql is the SDL the code emits (run `npm run schema` after changing types)', () => {
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    assert.ok(committed === printApiSchema(), 'schema/schema.graphql differs from the code: run `npm run schema` and commit it');
  });

  it('JobInput has exactly the trace columns of the file ingest (by property name) plus the job name', () => {
    const t = apiSchema().getType('JobInput');
    assert.ok(isInputObjectType(t));
    const fields = Object.keys(t.getFields()).sort();
    assert.deepEqual(fields, ['name', ...COLUMNS.map((c) => c.prop)].sort());
    const required = Object.values(t.getFields()).filter((f) => String(f.type).endsWith('!')).map((f) => f.name).sort();
    assert.deepEqual(required, ['name', ...COLUMNS.filter((c) => c.required).map((c) => c.prop)].sort());
  });
});
