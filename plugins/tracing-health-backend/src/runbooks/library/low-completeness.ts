import { RunbookTemplate } from '../RunbookTemplate';

export const lowCompleteness: RunbookTemplate = {
  id: 'low-completeness',
  title: 'Low trace completeness',
  summary:
    "A large share of {{service}}'s traces miss spans (parents that never arrive).",
  markdown: `## Symptoms
- Completeness ratio of {{service}} below its target; orphan spans counted for it.

## Diagnosis
1. Follow *missing-spans* for propagation problems between {{service}} and its callers.
2. Check drops on the path (*trace-data-loss*): spans lost in the pipeline make traces incomplete too.
3. Inconsistent sampling between services (one samples a trace, the next does not) shows as incomplete traces; use parent-based samplers.
4. Long-running traces may outlast the completeness window; check the window against the service's real trace durations.

## Resolution
- Fix propagation or sampling consistency; fix drops.

## Prevention
- Parent-based sampling everywhere; contract tests of cross-service traces.
`,
};
