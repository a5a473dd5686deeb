import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import { TracingSettings } from '@internal/plugin-tracing-health-common';

/** The tracing settings the entity's annotations declare. */
export function TracingSettingsCard(props: { settings: TracingSettings }) {
  const { settings } = props;
  // StructuredMetadataTable title-cases camelCase keys ("serviceNameFrom" → "Service Name From").
  const metadata: Record<string, string> = {
    serviceName: settings.serviceName,
    serviceNameFrom:
      settings.serviceNameSource === 'annotation'
        ? 'tracing-health/service-name'
        : 'metadata.name (default)',
    tier: settings.tier,
    tierFrom:
      settings.tierSource === 'annotation' ? 'tracing-health/tier' : 'default',
  };
  if (settings.runbookUrl) metadata.runbook = settings.runbookUrl;
  return (
    <InfoCard title="Tracing settings">
      <StructuredMetadataTable metadata={metadata} />
    </InfoCard>
  );
}
