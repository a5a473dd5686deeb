import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  RunbookDocument,
  RunbookId,
  RunbookListResponse,
  TracedServiceInfo,
} from '@internal/plugin-tracing-health-common';
import { RUNBOOK_LIBRARY } from './library';
import {
  renderRunbookMarkdown,
  RunbookPlaceholder,
  RunbookTemplate,
} from './RunbookTemplate';

/** Serves the runbook library, filled in for a service when one is named. */
export class RunbookService {
  private readonly byId: Map<string, RunbookTemplate>;

  constructor(
    private readonly deps: {
      /** Catalog components with their tracing settings. */
      listServices: (
        credentials: BackstageCredentials,
      ) => Promise<TracedServiceInfo[]>;
      /** The app's base URL (`app.baseUrl`). */
      appBaseUrl: string;
      /** The plugin's backend base URL (`.../api/tracing-health`). */
      backendBaseUrl: string;
      library?: RunbookTemplate[];
    },
  ) {
    this.byId = new Map((deps.library ?? RUNBOOK_LIBRARY).map(r => [r.id, r]));
  }

  list(): RunbookListResponse {
    return {
      items: [...this.byId.values()].map(({ id, title, summary }) => ({
        id,
        title,
        summary,
      })),
    };
  }

  has(id: string): id is RunbookId {
    return this.byId.has(id);
  }

  /** The runbook with placeholders filled for `serviceName` (OTel name or entity name). */
  async get(
    id: string,
    options: { serviceName?: string; credentials: BackstageCredentials },
  ): Promise<RunbookDocument> {
    const template = this.byId.get(id);
    if (!template) throw new NotFoundError(`No runbook "${id}"`);
    const service = options.serviceName
      ? (await this.deps.listServices(options.credentials)).find(
          s =>
            s.settings.serviceName === options.serviceName ||
            s.name === options.serviceName,
        )
      : undefined;
    const values = this.placeholderValues(options.serviceName, service);
    const render = (text: string) => renderRunbookMarkdown(text, values);
    return {
      id: template.id,
      title: template.title,
      summary: render(template.summary),
      markdown: render(template.markdown),
      serviceRunbookUrl: service?.settings.runbookUrl,
    };
  }

  private placeholderValues(
    serviceName: string | undefined,
    service: TracedServiceInfo | undefined,
  ): Record<RunbookPlaceholder, string> {
    const app = this.deps.appBaseUrl.replace(/\/+$/, '');
    const backend = this.deps.backendBaseUrl.replace(/\/+$/, '');
    const name = service?.settings.serviceName ?? serviceName;
    let entityUrl = `${app}/catalog`;
    if (service) {
      const ref = parseEntityRef(service.entityRef);
      // The entity's Tracing tab: its sampling card, with the boost button for owners.
      entityUrl = `${app}/catalog/${ref.namespace}/${ref.kind}/${ref.name}/tracing`;
    }
    // Owners and systems may be loose refs ("payments-team") as well as full ones.
    const humanRef = (ref?: string) => ref?.replace(/^.*[:/]/, '') || undefined;
    return {
      service: name ?? 'the service',
      owner: humanRef(service?.owner) ?? 'the owning team',
      system: humanRef(service?.system) ?? 'its system',
      entityRef: service?.entityRef ?? 'the catalog entity',
      entityUrl,
      checksUrl: `${app}/tracing-health`,
      metricsUrl: `${backend}/metrics`,
      ingestUrl: `${backend}/v1/traces`,
    };
  }
}
