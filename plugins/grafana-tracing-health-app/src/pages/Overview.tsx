import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LinkButton, LoadingPlaceholder } from '@grafana/ui';

import { getServices } from '../api/portal';
import { usePortalQuery } from '../api/usePortalQuery';
import { ServicesTable } from '../components/ServicesTable/ServicesTable';
import { PLUGIN_ID } from '../constants';

export interface OverviewProps {
  /** False when no portal URL is configured yet: show a hint instead of calling the proxy. */
  isConfigured?: boolean;
}

const Overview = ({ isConfigured = true }: OverviewProps) => (
  <PluginPage subTitle="Catalog services and their tracing settings, as the Tracing Health portal reports them.">
    {isConfigured ? (
      <ServicesOverview />
    ) : (
      <Alert severity="info" title="Tracing Health is not configured">
        <p>
          Set the portal URL and access token on the app configuration page.
        </p>
        <LinkButton
          href={`/plugins/${PLUGIN_ID}`}
          variant="secondary"
          icon="cog"
        >
          Open configuration
        </LinkButton>
      </Alert>
    )}
  </PluginPage>
);

const ServicesOverview = () => {
  const services = usePortalQuery(getServices);

  if (services.status === 'loading') {
    return <LoadingPlaceholder text="Loading services…" />;
  }

  if (services.status === 'error') {
    return (
      <Alert
        severity="error"
        title="Could not load services from the Tracing Health portal"
      >
        <p>{services.error.message}</p>
        {services.error.hint && <p>{services.error.hint}</p>}
        <Button variant="secondary" icon="sync" onClick={services.reload}>
          Retry
        </Button>
      </Alert>
    );
  }

  if (services.data.items.length === 0) {
    return (
      <div>
        <p>The portal reports no catalog components.</p>
        <Button variant="secondary" icon="sync" onClick={services.reload}>
          Refresh
        </Button>
      </div>
    );
  }

  return <ServicesTable services={services.data.items} />;
};

export default Overview;
