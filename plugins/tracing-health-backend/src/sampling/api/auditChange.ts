import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  AuditorServiceEventSeverityLevel,
} from '@backstage/backend-plugin-api';
import { Request } from 'express';

export type AuditMeta = NonNullable<AuditorServiceCreateEventOptions['meta']>;

/** An audit `before`/`after` value: JSON, `null` for nothing. */
export const auditValue = (value: unknown): AuditMeta | null =>
  value === undefined ? null : (value as AuditMeta);

export interface AuditedChange {
  eventId: string;
  severityLevel: AuditorServiceEventSeverityLevel;
  /** Recorded with the event, and with its failure. */
  meta: AuditMeta;
}

/**
 * Runs a change under an audit event: its outcome (what `run` returns) on success; on any error
 * (refused, invalid, not found) the failure, and the error goes on to the error handler.
 */
export function createChangeAuditor(auditor: AuditorService) {
  return async function audited(
    req: Request,
    change: AuditedChange,
    run: () => Promise<AuditMeta>,
  ): Promise<void> {
    const { eventId, severityLevel, meta } = change;
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta,
    });
    try {
      const outcome = await run();
      await event.success({ meta: outcome });
    } catch (error) {
      await event.fail({ error: error as Error, meta });
      throw error;
    }
  };
}

export type ChangeAuditor = ReturnType<typeof createChangeAuditor>;
