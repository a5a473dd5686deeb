import { CodeSnippet, InfoCard } from '@backstage/core-components';
import {
  optInAnnotationSnippet,
  UnregisteredService,
} from '@internal/plugin-tracing-health-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { formatAgo, formatRate } from '../coverage/format';

/** Service names that send spans but no component maps to, each with the snippet to claim it. */
export function UnregisteredServices(props: {
  services: UnregisteredService[];
}) {
  return (
    <InfoCard
      title="Unregistered services"
      subheader="Sending spans, but no catalog component maps to their service.name. Add the annotations to the component that runs each one."
    >
      {props.services.length === 0 ? (
        <Typography variant="body2">
          Every service name sending spans belongs to a component.
        </Typography>
      ) : (
        props.services.map(s => (
          <Accordion
            key={s.serviceName}
            data-testid="unregistered-service"
            defaultExpanded={props.services.length <= 3}
          >
            <AccordionSummary expandIcon={<ExpandMoreIcon />}>
              <Typography>
                <strong>{s.serviceName}</strong> · spans{' '}
                {formatRate(s.figures.spansPerSecond)} · last seen{' '}
                {formatAgo(s.lastSeen)}
              </Typography>
            </AccordionSummary>
            <AccordionDetails style={{ display: 'block' }}>
              <CodeSnippet
                language="yaml"
                text={optInAnnotationSnippet(s.serviceName)}
                showCopyCodeButton
              />
            </AccordionDetails>
          </Accordion>
        ))
      )}
    </InfoCard>
  );
}
