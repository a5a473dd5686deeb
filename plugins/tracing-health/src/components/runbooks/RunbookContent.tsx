import {
  Link,
  MarkdownContent,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { tracingHealthApiRef } from '../../api';

/** One runbook from the backend, filled in for `service`, as rendered Markdown. */
export function RunbookContent(props: {
  id: string;
  service?: string;
  showServiceRunbook?: boolean;
}) {
  const api = useApi(tracingHealthApiRef);
  const { value, loading, error } = useAsync(
    async () => api.getRunbook(props.id, { service: props.service }),
    [api, props.id, props.service],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  return (
    <div data-testid={`runbook-${value.id}`}>
      {props.showServiceRunbook && value.serviceRunbookUrl && (
        <Typography paragraph>
          Start with the team's own runbook:{' '}
          <Link to={value.serviceRunbookUrl}>{value.serviceRunbookUrl}</Link>
        </Typography>
      )}
      <Typography variant="subtitle1" paragraph>
        {value.summary}
      </Typography>
      <MarkdownContent content={value.markdown} />
    </div>
  );
}
