import { RunbookTemplate } from '../RunbookTemplate';

export const ownerOverBudget: RunbookTemplate = {
  id: 'owner-over-budget',
  title: 'Owner keeps more traces than its budget',
  summary:
    'The services of an owner group keep more spans (or bytes) than the budget the platform team gave it.',
  markdown: `## Symptoms
- The fleet page shows the owner's use above its budget; the TracingHealthOwnerOverBudget alert fires.
- The policy editor warns that a change exceeds the owner's budget.

## Diagnosis
1. Open each of the owner's services on its entity page ({{entityUrl}}): the Sampling card says what the traces
   were kept for in the last hour (errors, slow, by rate, operations, a boost).
2. A boost in force keeps 100% of a service until it expires: it shows as a layer of the effective policy.
3. A traffic increase raises use at an unchanged rate: compare traces/s with the preview's "now".
4. The downstream cost of a service counts the spans its traces cause in other services.

## Resolution
- Lower the rate of the heaviest operation or service; the editor's preview shows the new use before you save.
- End a boost that is no longer needed.
- If the use is expected, ask the platform team to raise the budget (\`PUT /budgets/:owner\`, audited).
- Contact {{owner}}.

## Prevention
- Keep errors and slow traces, sample the rest by rate; preview every change against the budget.
`,
};
