import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  CheckMeasurement,
  CheckStatus,
  CheckSummary,
  parseTracingSettings,
  runbookPath,
  RunbookId,
} from '@internal/plugin-tracing-health-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { tracingHealthApiRef } from '../../api';
import { CheckHistorySparkline } from './CheckHistorySparkline';
import { CheckStatusIcon } from './CheckStatusIcon';
import { formatAgo } from './format';

/** What one check says about one service. */
export interface ServiceCheckRow {
  check: CheckSummary;
  status?: CheckStatus;
  message?: string;
  runbookId?: RunbookId;
}

/**
 * The checks that concern a service: checks configured for it, the service-volume line about it,
 * and the global checks of the trace path (which every service depends on).
 */
export function checksForService(
  checks: CheckSummary[],
  serviceName: string,
): ServiceCheckRow[] {
  return checks.flatMap((check): ServiceCheckRow[] => {
    if (check.service && check.service !== serviceName) return [];
    if (check.type === 'service-volume' && check.latest) {
      const own = check.latest.measurements.find(
        (m: CheckMeasurement) => m.subject === serviceName,
      );
      if (!own) return [];
      return [
        {
          check,
          status: own.status,
          message: own.message,
          runbookId: own.runbookId,
        },
      ];
    }
    return [
      {
        check,
        status: check.latest?.status,
        message: check.latest?.message,
        runbookId: check.latest?.runbookId,
      },
    ];
  });
}

/** The Tracing tab's "Health checks" card. */
export function EntityHealthChecksCard() {
  const { entity } = useEntity();
  const { serviceName } = parseTracingSettings(entity);
  const api = useApi(tracingHealthApiRef);
  const { value, loading, error } = useAsync(
    async () => api.getChecks(),
    [api],
  );
  return (
    <InfoCard
      title="Health checks"
      subheader={`What the checks say about ${serviceName} and the trace path`}
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <List dense>
          {checksForService(value.items, serviceName).map(row => (
            <ListItem
              key={row.check.id}
              data-testid={`entity-check-${row.check.id}`}
            >
              <ListItemText
                primary={
                  <>
                    <CheckStatusIcon status={row.status} /> {row.check.title}
                  </>
                }
                secondary={
                  <>
                    <Typography
                      variant="caption"
                      component="span"
                      display="block"
                    >
                      {row.message ?? 'Waiting for the first run'} ·{' '}
                      {formatAgo(row.check.latest?.startedAt)}
                    </Typography>
                    {row.status && row.status !== 'ok' && row.runbookId && (
                      <Link to={runbookPath(row.runbookId, serviceName)}>
                        What to do: {row.runbookId}
                      </Link>
                    )}
                  </>
                }
              />
              {row.check.type !== 'service-volume' && (
                <CheckHistorySparkline points={row.check.recent} />
              )}
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
