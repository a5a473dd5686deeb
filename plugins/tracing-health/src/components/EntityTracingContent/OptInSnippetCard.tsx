import { CodeSnippet, InfoCard } from '@backstage/core-components';
import { optInAnnotationSnippet } from '@internal/plugin-tracing-health-common';
import Typography from '@material-ui/core/Typography';

/** The exact annotations a service owner adds to opt in. */
export function OptInSnippetCard(props: { serviceName: string }) {
  return (
    <InfoCard title="Opt in to tracing">
      <Typography variant="body2" paragraph>
        Add these annotations to this component's catalog-info.yaml. Set the
        service name to the OpenTelemetry <code>service.name</code> your SDK
        reports, and pick a tier: critical (100%), standard (10%) or
        high-volume (1%) default sampling.
      </Typography>
      <CodeSnippet
        language="yaml"
        text={optInAnnotationSnippet(props.serviceName)}
        showCopyCodeButton
      />
    </InfoCard>
  );
}
