import { InfoCard, Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  parseTracingSettings,
  RunbookId,
  runbookPath,
} from '@internal/plugin-tracing-health-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { tracingHealthApiRef } from '../../api';
import { checksForService } from '../checks/EntityHealthChecksCard';
import { RunbookContent } from './RunbookContent';

/** The runbooks a service owner needs most, after those of current failures. */
export const SERVICE_RUNBOOKS: RunbookId[] = [
  'no-traces',
  'service-silent',
  'missing-spans',
  'high-latency',
  'error-rate',
];

/**
 * The Tracing tab's "Runbooks" card: the team's own runbook (`tracing-health/runbook-url`)
 * first, then the runbooks of checks failing for this service, then the service runbooks;
 * each opens as rendered Markdown filled in for the service.
 */
export function EntityRunbooksCard() {
  const { entity } = useEntity();
  const { serviceName, runbookUrl } = parseTracingSettings(entity);
  const api = useApi(tracingHealthApiRef);
  const runbooks = useAsync(async () => api.getRunbooks(), [api]);
  const checks = useAsync(async () => api.getChecks(), [api]);
  const [open, setOpen] = useState<string | undefined>();

  const failing = checksForService(checks.value?.items ?? [], serviceName)
    .filter(r => r.status && r.status !== 'ok' && r.runbookId)
    .map(r => r.runbookId!);
  const ids = [...new Set([...failing, ...SERVICE_RUNBOOKS])];
  const titles = new Map((runbooks.value?.items ?? []).map(r => [r.id, r]));

  return (
    <InfoCard title="Runbooks">
      {runbookUrl && (
        <Typography paragraph data-testid="team-runbook">
          Team runbook: <Link to={runbookUrl}>{runbookUrl}</Link>
        </Typography>
      )}
      {ids.map(id => (
        <Accordion
          key={id}
          expanded={open === id}
          onChange={(_e, expanded) => setOpen(expanded ? id : undefined)}
          TransitionProps={{ unmountOnExit: true }}
        >
          <AccordionSummary
            expandIcon={<ExpandMoreIcon />}
            aria-controls={`runbook-${id}`}
          >
            <Typography>
              {titles.get(id)?.title ?? id}
              {failing.includes(id) ? ' (failing now)' : ''}
            </Typography>
          </AccordionSummary>
          <AccordionDetails style={{ display: 'block' }}>
            <RunbookContent id={id} service={serviceName} />
            <Link to={runbookPath(id, serviceName)}>Open as a page</Link>
          </AccordionDetails>
        </Accordion>
      ))}
    </InfoCard>
  );
}
