/**
 * Checks the portal base URL; returns an error message, or undefined when it is valid.
 */
export function validatePortalUrl(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) {
    return 'The portal URL is required.';
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return 'Enter an absolute URL, e.g. https://backstage.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'The portal URL must start with http:// or https://';
  }
  if (url.search || url.hash) {
    return 'The portal URL must not contain a query string or fragment.';
  }
  return undefined;
}

/** The proxy route appends `/api/tracing-health`, so store the base URL without trailing slashes. */
export function normalizePortalUrl(value: string): string {
  return value.trim().replace(/\/+$/, '');
}
