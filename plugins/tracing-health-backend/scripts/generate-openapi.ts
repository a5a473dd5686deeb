/**
 * Writes src/schema/openapi.generated.ts and the frontend's typed client
 * (plugins/tracing-health/src/schema/openapi/generated) from src/schema/openapi.yaml (run after
 * changing the spec; `openapi.test.ts` fails while they differ). It stands in for
 * `backstage-repo-tools package schema openapi generate --server --client-package plugins/tracing-health`, whose generator needs the
 * OpenAPI Generator jar from Maven Central, which this build cannot download.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import {
  OPENAPI_CLIENT_FILE,
  renderOpenApiClient,
} from '../src/schema/renderOpenApiClient';

function main() {
  const dir = resolve(__dirname, '..', 'src', 'schema');
  const spec = YAML.parse(readFileSync(resolve(dir, 'openapi.yaml'), 'utf8'));
  const file = resolve(dir, 'openapi.generated.ts');
  const source = `// ******************************************************************
// * THIS IS A GENERATED FILE. DO NOT EDIT IT: edit openapi.yaml,     *
// * then run \`yarn generate:openapi\` in plugins/tracing-health-backend. *
// ******************************************************************

/** src/schema/openapi.yaml, the plugin's API contract (one line: it is read through the YAML). */
// prettier-ignore
export const spec = ${JSON.stringify(spec)} as const;
`;
  writeFileSync(file, source);
  process.stdout.write(`wrote ${file}\n`);
  const client = resolve(__dirname, '..', OPENAPI_CLIENT_FILE);
  mkdirSync(dirname(client), { recursive: true });
  writeFileSync(client, renderOpenApiClient(spec));
  process.stdout.write(`wrote ${client}\n`);
}

main();
