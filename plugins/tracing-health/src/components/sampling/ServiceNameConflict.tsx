import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

/**
 * Shown on the entity page when other components claim the same `service.name`: which team owns
 * the sampling policy is unknown, so the backend refuses every change to it (409).
 */
export function ServiceNameConflict(props: {
  serviceName: string;
  /** The component whose page this is. */
  entityRef?: string;
  /** Every component that claims `serviceName`, this one included. */
  claimants: string[];
}) {
  const others = props.claimants.filter(ref => ref !== props.entityRef);
  return (
    <Alert severity="warning" data-testid="sampling-service-name-conflict">
      <AlertTitle>
        service.name {props.serviceName} is claimed by more than one component
      </AlertTitle>
      Also claimed by{' '}
      {others.map((ref, i) => (
        <span key={ref}>
          {i > 0 && ', '}
          <code>{ref}</code>
        </span>
      ))}
      . Nobody can tell which team owns this service's sampling, so nobody
      (platform team included) can change its policy until only one component
      claims the name: fix the <code>tracing-health/service-name</code>{' '}
      annotation of the component that does not emit it.
    </Alert>
  );
}
