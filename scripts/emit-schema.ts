/** `npm run schema`: writes the SDL of the GraphQL API to schema/schema.graphql (committed). */
import fs from 'node:fs';
import path from 'node:path';
import { printApiSchema, SCHEMA_FILE } from '../src/api/schema';

fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
fs.writeFileSync(SCHEMA_FILE, printApiSchema());
console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
