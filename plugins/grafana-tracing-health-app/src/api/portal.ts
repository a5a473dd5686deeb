import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

import type {
  ChecksResponse,
  FleetCoverageResponse,
  ServicesResponse,
} from '@internal/tracing-model';

import { PORTAL_PROXY_BASE } from '../constants';

/** A failed call to the portal, with a message a Grafana user can act on. */
export class PortalError extends Error {
  /** HTTP status from Grafana's plugin proxy or the portal; undefined for non-HTTP failures. */
  readonly status?: number;
  /** What to check, when the status points at a likely cause. */
  readonly hint?: string;

  constructor(message: string, status?: number, hint?: string) {
    super(message);
    this.name = 'PortalError';
    this.status = status;
    this.hint = hint;
  }
}

/** URL of a portal API path through the app's `portal` proxy route. */
export function portalUrl(path: string): string {
  return `${PORTAL_PROXY_BASE}/${path.replace(/^\/+/, '')}`;
}

function hintForStatus(status: number): string | undefined {
  if (status === 401 || status === 403) {
    return 'The request was refused. Check that the token on the app configuration page is the portal read token (subject tracing-read, or one listed in tracingHealth.auth.readSubjects), not the ingest token.';
  }
  if (status === 404) {
    return 'Not found. Check that the portal URL on the app configuration page is the Backstage base URL and that the Tracing Health backend plugin is installed there.';
  }
  if (status === 502 || status === 503 || status === 504) {
    return 'Grafana could not reach the portal. Check the portal URL on the app configuration page and that Grafana can reach it.';
  }
  return undefined;
}

/** Turns whatever `backendSrv.fetch` threw into a PortalError. */
export function toPortalError(error: unknown): PortalError {
  if (error instanceof PortalError) {
    return error;
  }
  if (isFetchError(error)) {
    const data: unknown = error.data;
    let detail: string | undefined;
    if (typeof data === 'string' && data.trim()) {
      detail = data.trim();
    } else if (data && typeof data === 'object') {
      const body = data as { message?: unknown; error?: unknown };
      if (typeof body.message === 'string') {
        detail = body.message;
      } else if (
        body.error &&
        typeof body.error === 'object' &&
        typeof (body.error as { message?: unknown }).message === 'string'
      ) {
        detail = (body.error as { message: string }).message;
      } else if (typeof body.error === 'string') {
        detail = body.error;
      }
    }
    detail = detail || error.statusText || error.message;
    const status = error.status;
    const message = status
      ? `HTTP ${status}${detail ? `: ${detail}` : ''}`
      : detail || 'Request failed';
    return new PortalError(
      message,
      status || undefined,
      status ? hintForStatus(status) : undefined,
    );
  }
  if (error instanceof Error) {
    return new PortalError(error.message);
  }
  return new PortalError(String(error));
}

/**
 * GET a path of the portal's Tracing Health API (`/api/tracing-health/<path>`) through
 * Grafana's plugin proxy. Throws PortalError.
 */
export async function getFromPortal<T>(path: string): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: portalUrl(path),
        method: 'GET',
        // The pages show their own error state; no global toast.
        showErrorAlert: false,
      }),
    );
    return response.data;
  } catch (error) {
    throw toPortalError(error);
  }
}

/** `GET /api/tracing-health/services` of the portal. */
export async function getServices(): Promise<ServicesResponse> {
  const body = await getFromPortal<unknown>('services');
  if (
    !body ||
    typeof body !== 'object' ||
    !Array.isArray((body as { items?: unknown }).items)
  ) {
    throw new PortalError(
      'The portal returned an unexpected response for /services (expected {"items": [...]}).',
    );
  }
  return body as ServicesResponse;
}

function expectObjectWith<T>(path: string, body: unknown, keys: string[]): T {
  const record = body as Record<string, unknown> | undefined;
  if (
    !record ||
    typeof record !== 'object' ||
    keys.some(key => record[key] === undefined)
  ) {
    throw new PortalError(
      `The portal returned an unexpected response for /${path} (expected an object with ${keys.join(
        ', ',
      )}).`,
    );
  }
  return body as T;
}

/** `GET /api/tracing-health/coverage/fleet` of the portal: coverage totals and worst offenders. */
export async function getFleetCoverage(): Promise<FleetCoverageResponse> {
  const body = await getFromPortal<unknown>('coverage/fleet');
  const fleet = expectObjectWith<FleetCoverageResponse>(
    'coverage/fleet',
    body,
    ['totals', 'items'],
  );
  if (!Array.isArray(fleet.items) || typeof fleet.totals !== 'object') {
    throw new PortalError(
      'The portal returned an unexpected response for /coverage/fleet (expected totals and items).',
    );
  }
  return fleet;
}

/** `GET /api/tracing-health/checks` of the portal: every configured check with its latest result. */
export async function getChecks(): Promise<ChecksResponse> {
  const body = await getFromPortal<unknown>('checks');
  const checks = expectObjectWith<ChecksResponse>('checks', body, ['items']);
  if (!Array.isArray(checks.items)) {
    throw new PortalError(
      'The portal returned an unexpected response for /checks (expected {"items": [...]}).',
    );
  }
  return checks;
}
