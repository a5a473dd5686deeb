import { useEntity } from '@backstage/plugin-catalog-react';
import { parseTracingSettings } from '@internal/plugin-tracing-health-common';
import { TracingSettingsCard } from './TracingSettingsCard';

/** The settings card bound to the current entity. */
export function EntitySettingsCard() {
  const { entity } = useEntity();
  return <TracingSettingsCard settings={parseTracingSettings(entity)} />;
}
