import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { TracingSettings } from '@internal/plugin-tracing-health-common';

/** The tracing settings the entity's annotations declare. */
export function TracingSettingsCard(props: { settings: TracingSettings }) {
  const { settings } = props;
  const metadata: Record<string, string> = {
    'Service name (service.name)': settings.serviceName,
    'Service name from':
      settings.serviceNameSource === 'annotation'
        ? 'tracing-health/service-name'
        : 'metadata.name (default)',
    Tier: settings.tier,
    'Tier from':
      settings.tierSource === 'annotation' ? 'tracing-health/tier' : 'default',
  };
  if (settings.runbookUrl) metadata.Runbook = settings.runbookUrl;
  return (
    <InfoCard title="Tracing settings">
      <StructuredMetadataTable metadata={metadata} />
    </InfoCard>
  );
}
