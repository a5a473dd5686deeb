import { AnnotationError } from '@internal/plugin-tracing-health-common';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

/** Shows invalid tracing-health annotations on the entity, one line per key. */
export function AnnotationErrors(props: { errors: AnnotationError[] }) {
  if (props.errors.length === 0) return null;
  return (
    <Alert severity="warning" data-testid="tracing-annotation-errors">
      <AlertTitle>Invalid tracing-health annotations</AlertTitle>
      <ul>
        {props.errors.map(error => (
          <li key={error.annotation}>{error.message}</li>
        ))}
      </ul>
      Fix them in this component's catalog-info.yaml; until then the defaults
      apply.
    </Alert>
  );
}
