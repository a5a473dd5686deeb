/**
 * Writes the tail policy declarations into configTailPolicies.d.ts from the policy kinds in
 * packages/tracing-pipeline/src/sampling/policies (run after adding or changing a kind).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  renderTailPolicyConfigDocs,
  withTailPolicyDocs,
} from '../src/sampling/collector/tailPolicyConfigDocs';

const file = resolve(__dirname, '..', 'configTailPolicies.d.ts');
writeFileSync(
  file,
  withTailPolicyDocs(readFileSync(file, 'utf8'), renderTailPolicyConfigDocs()),
);
process.stdout.write(`wrote ${file}\n`);
