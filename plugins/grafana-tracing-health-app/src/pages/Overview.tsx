import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LinkButton, LoadingPlaceholder } from '@grafana/ui';

import { getChecks, getFleetCoverage, getServices } from '../api/portal';
import { usePortalQuery } from '../api/usePortalQuery';
import { ChecksBoard } from '../components/ChecksBoard/ChecksBoard';
import { FleetCoverage } from '../components/FleetCoverage/FleetCoverage';
import { PortalSection } from '../components/PortalSection/PortalSection';
import { ServicesTable } from '../components/ServicesTable/ServicesTable';
import { PLUGIN_ID } from '../constants';

export interface OverviewProps {
  /** False when no portal URL is configured yet: show a hint instead of calling the proxy. */
  isConfigured?: boolean;
  /** The configured portal URL, for links to runbooks in the portal. */
  portalUrl?: string;
}

const Overview = ({ isConfigured = true, portalUrl }: OverviewProps) => (
  <PluginPage subTitle="Health checks, fleet coverage and catalog services' tracing settings, as the Tracing Health portal reports them.">
    {isConfigured ? (
      <>
        <ChecksOverview portalUrl={portalUrl} />
        <CoverageOverview />
        <h3>Services</h3>
        <ServicesOverview />
      </>
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

const ChecksOverview = ({ portalUrl }: { portalUrl?: string }) => {
  const checks = usePortalQuery(getChecks);
  return (
    <PortalSection title="Health checks" path="checks" query={checks}>
      {data => <ChecksBoard checks={data.items} portalUrl={portalUrl} />}
    </PortalSection>
  );
};

const CoverageOverview = () => {
  const fleet = usePortalQuery(getFleetCoverage);
  return (
    <PortalSection title="Fleet coverage" path="coverage/fleet" query={fleet}>
      {data => <FleetCoverage fleet={data} />}
    </PortalSection>
  );
};

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
