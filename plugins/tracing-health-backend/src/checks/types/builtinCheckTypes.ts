import {
  CheckType,
  PipelineStatusProvider,
  ServiceVolumeProvider,
} from '@internal/plugin-tracing-health-node';
import { TracedServiceInfo } from '@internal/plugin-tracing-health-common';
import { elasticsearchCheckType } from './elasticsearch';
import { httpCheckType } from './http';
import { jaegerCheckType } from './jaeger';
import { opensearchCheckType } from './opensearch';
import { otelCollectorCheckType } from './otelCollector';
import { createPipelineCheckType } from './pipeline';
import { prometheusQueryCheckType } from './prometheusQuery';
import { createServiceVolumeCheckType } from './serviceVolume';
import { tlsCertificateCheckType } from './tlsCertificate';

/** The check types the plugin ships; modules add more through the extension point. */
export function builtinCheckTypes(deps: {
  pipelineStatus: () => PipelineStatusProvider | undefined;
  serviceVolume: () => ServiceVolumeProvider | undefined;
  optedInServices: () => Promise<TracedServiceInfo[]>;
  silentAfterMinutes: number;
}): CheckType<any>[] {
  return [
    otelCollectorCheckType,
    jaegerCheckType,
    elasticsearchCheckType,
    opensearchCheckType,
    prometheusQueryCheckType,
    tlsCertificateCheckType,
    httpCheckType,
    createPipelineCheckType(deps.pipelineStatus),
    createServiceVolumeCheckType({
      provider: deps.serviceVolume,
      optedInServices: deps.optedInServices,
      defaultSilentAfterMinutes: deps.silentAfterMinutes,
    }),
  ];
}
