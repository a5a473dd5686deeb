/// <reference types="node" />
/**
 * Writes the generated dashboards and alert rule files into the package:
 *
 *   yarn workspace @internal/grafana-tracing-health-app generate
 *
 * Commit the result; src/generate/generatedFiles.test.ts fails when they drift from the source.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { generatedFiles } from './generatedFiles';

const packageRoot = join(__dirname, '..', '..');

for (const file of generatedFiles()) {
  const target = join(packageRoot, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}
