import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TAIL_POLICY_TYPES } from '@internal/tracing-pipeline';
import {
  renderTailPolicyConfigDocs,
  sameDeclarations,
  tailPolicyDocsOf,
  withTailPolicyDocs,
} from './tailPolicyConfigDocs';

const configDts = readFileSync(
  resolve(__dirname, '../../../configTailPolicies.d.ts'),
  'utf8',
);
const rootConfigDts = readFileSync(
  resolve(__dirname, '../../../config.d.ts'),
  'utf8',
);

describe('configTailPolicies.d.ts tail policy docs', () => {
  it('are the ones the policy kinds generate (run `yarn generate:config-docs` in this package)', () => {
    const section = tailPolicyDocsOf(configDts);
    expect(section).toBeDefined();
    expect(sameDeclarations(section!, renderTailPolicyConfigDocs())).toBe(true);
  });

  it('declare every kind and type tracingHealth.sampling.tail.policies with them', () => {
    const section = tailPolicyDocsOf(configDts)!;
    for (const type of TAIL_POLICY_TYPES)
      expect(section).toContain(`type: '${type}';`);
    expect(rootConfigDts).toContain('policies?: TailPolicyConfig[];');
    expect(rootConfigDts).toContain(
      "import type { TailPolicyConfig } from './configTailPolicies';",
    );
    expect(configDts).toContain('export type { TailPolicyConfig };');
  });

  it('are told apart from stale ones', () => {
    const stale = withTailPolicyDocs(
      configDts,
      renderTailPolicyConfigDocs().replace(
        /\n\s*\| TailSpanCountPolicyConfig/,
        '',
      ),
    );
    expect(
      sameDeclarations(tailPolicyDocsOf(stale)!, renderTailPolicyConfigDocs()),
    ).toBe(false);
  });
});
