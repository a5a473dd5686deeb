import { RunbookId } from '@internal/plugin-tracing-health-common';

/** A runbook as written: Markdown with `{{placeholder}}`s filled per service when served. */
export interface RunbookTemplate {
  id: RunbookId;
  title: string;
  summary: string;
  markdown: string;
}

/** The placeholders a runbook may use, with what they stand for. */
export const RUNBOOK_PLACEHOLDERS = {
  service: 'the OTel service.name',
  owner: 'the owning team',
  system: 'the system the service belongs to',
  entityRef: 'the catalog entity ref',
  entityUrl: "the entity's Tracing tab in the portal (sampling, boost)",
  checksUrl: 'the health board in the portal',
  metricsUrl: "the plugin's Prometheus metrics",
  ingestUrl: 'the OTLP/HTTP traces endpoint',
} as const;
export type RunbookPlaceholder = keyof typeof RUNBOOK_PLACEHOLDERS;

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

/** The placeholder names a template uses. */
export function placeholdersOf(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(PLACEHOLDER)].map(m => m[1]))];
}

/** Fills every `{{name}}`; throws on a name that is not a known placeholder. */
export function renderRunbookMarkdown(
  markdown: string,
  values: Record<RunbookPlaceholder, string>,
): string {
  return markdown.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(name in values))
      throw new Error(`unknown runbook placeholder {{${name}}}`);
    return values[name as RunbookPlaceholder];
  });
}
