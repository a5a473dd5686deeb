/**
 * @jest-environment node
 */
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { generatedFiles } from './generatedFiles';

const packageRoot = join(__dirname, '..', '..');

describe('generated dashboards and rule files', () => {
  it.each(generatedFiles().map(file => [file.path, file] as const))(
    '%s is committed as the generator writes it',
    (_path, file) => {
      const committed = readFileSync(join(packageRoot, file.path), 'utf8');
      // On failure: yarn workspace @internal/grafana-tracing-health-app generate, then commit.
      expect(committed).toBe(file.content);
    },
  );
});
