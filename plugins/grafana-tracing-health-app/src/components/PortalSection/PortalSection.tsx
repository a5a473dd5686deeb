import type { ReactNode } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, LoadingPlaceholder, useStyles2 } from '@grafana/ui';

import type { PortalQueryResult } from '../../api/usePortalQuery';

export interface PortalSectionProps<T> {
  title: string;
  /** The portal API path it reads, for the "not served" message. */
  path: string;
  query: PortalQueryResult<T>;
  children: (data: T) => ReactNode;
}

/**
 * A titled section of a page fed by one portal call: loading, error (with hint and retry),
 * "not served by this portal" for a 404, or its content.
 */
export function PortalSection<T>({
  title,
  path,
  query,
  children,
}: PortalSectionProps<T>) {
  const styles = useStyles2(getStyles);
  let body: ReactNode;
  if (query.status === 'loading') {
    body = <LoadingPlaceholder text={`Loading ${title.toLowerCase()}…`} />;
  } else if (query.status === 'error' && query.error.status === 404) {
    body = (
      <Alert severity="info" title={`The portal does not serve /${path}`}>
        This part needs a Tracing Health backend that provides{' '}
        <code>/api/tracing-health/{path}</code>.
      </Alert>
    );
  } else if (query.status === 'error') {
    body = (
      <Alert
        severity="error"
        title={`Could not load ${title.toLowerCase()} from the Tracing Health portal`}
      >
        <p>{query.error.message}</p>
        {query.error.hint && <p>{query.error.hint}</p>}
        <Button variant="secondary" icon="sync" onClick={query.reload}>
          Retry
        </Button>
      </Alert>
    );
  } else {
    body = children(query.data);
  }
  return (
    <section className={styles.section} aria-label={title}>
      <h3>{title}</h3>
      {body}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({
    marginBottom: theme.spacing(4),
  }),
});
