/* A build step: writes the OpenAPI document to a file, from which the TypeScript client's types are generated. */
import fs from 'node:fs';
import path from 'node:path';
import { openApiDocument } from './openapi-document';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node write-openapi.js OUT.json\n');
  process.exit(2);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(openApiDocument(), null, 2) + '\n');
