import { CodeSnippet, InfoCard } from '@backstage/core-components';
import {
  AnnotationError,
  optInAnnotationSnippet,
  TRACING_HEALTH_ANNOTATIONS,
} from '@internal/plugin-tracing-health-common';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { optInProblem } from './optInProblem';

/**
 * The one card of a component that is not opted in: what is wrong with its annotations (missing,
 * invalid or "false") and the exact annotations to add.
 */
export function OptInSnippetCard(props: {
  serviceName: string;
  enabledValue?: string;
  errors?: AnnotationError[];
}) {
  const errors = props.errors ?? [];
  const problem = optInProblem(props.enabledValue, errors);
  const others = errors.filter(
    e => e.annotation !== TRACING_HEALTH_ANNOTATIONS.enabled,
  );
  return (
    <InfoCard title={problem.title}>
      <div data-testid="tracing-opt-in-card" data-problem={problem.kind}>
        <Alert
          severity={problem.kind === 'invalid' ? 'warning' : 'info'}
          data-testid="tracing-opt-in-problem"
        >
          {problem.summary}
          {others.length > 0 && (
            <ul>
              {others.map(error => (
                <li key={error.annotation}>{error.message}</li>
              ))}
            </ul>
          )}
        </Alert>
        <Typography variant="body2" paragraph style={{ marginTop: 16 }}>
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
      </div>
    </InfoCard>
  );
}
