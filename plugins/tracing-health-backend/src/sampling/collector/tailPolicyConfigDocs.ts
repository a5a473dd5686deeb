import { renderTailPolicyConfigDocs } from '@internal/tracing-pipeline';

/*
 * The declarations of `tracingHealth.sampling.tail.policies` (configTailPolicies.d.ts, imported
 * by config.d.ts) come from the tail policy kinds (packages/tracing-pipeline/src/sampling/policies):
 * `yarn generate:config-docs` writes them between these markers and a test fails when they are
 * out of step.
 */

export const TAIL_POLICY_DOCS_BEGIN =
  '// BEGIN tail policies: generated from packages/tracing-pipeline/src/sampling/policies by `yarn workspace @internal/plugin-tracing-health-backend generate:config-docs`';
export const TAIL_POLICY_DOCS_END = '// END tail policies';

/** The generated section of a declaration file (between the markers), or undefined without markers. */
export function tailPolicyDocsOf(configDts: string): string | undefined {
  const begin = configDts.indexOf(TAIL_POLICY_DOCS_BEGIN);
  const end = configDts.indexOf(TAIL_POLICY_DOCS_END);
  if (begin === -1 || end < begin) return undefined;
  return configDts.slice(begin + TAIL_POLICY_DOCS_BEGIN.length, end).trim();
}

/** `configDts` with its generated section replaced by `section`. */
export function withTailPolicyDocs(configDts: string, section: string): string {
  const begin = configDts.indexOf(TAIL_POLICY_DOCS_BEGIN);
  const end = configDts.indexOf(TAIL_POLICY_DOCS_END);
  if (begin === -1 || end < begin)
    throw new Error(
      `configTailPolicies.d.ts has no "${TAIL_POLICY_DOCS_BEGIN}" ... "${TAIL_POLICY_DOCS_END}" section`,
    );
  return `${configDts.slice(
    0,
    begin,
  )}${TAIL_POLICY_DOCS_BEGIN}\n${section.trim()}\n${configDts.slice(end)}`;
}

/** Equal up to formatting (the file is prettier-formatted; the generated text is not). */
export function sameDeclarations(a: string, b: string): boolean {
  const tokens = (s: string) => s.replace(/\s+/g, '');
  return tokens(a) === tokens(b);
}

export { renderTailPolicyConfigDocs };
