import {
  Content,
  Header,
  Link,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { Route, Routes, useParams, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { RunbookId, runbookPath } from '@internal/plugin-tracing-health-common';
import { tracingHealthApiRef } from '../../api';
import { RunbookContent } from './RunbookContent';

function RunbookIndex() {
  const api = useApi(tracingHealthApiRef);
  const { value, loading } = useAsync(async () => api.getRunbooks(), [api]);
  if (loading) return <Progress />;
  return (
    <List>
      {value?.items.map(r => (
        <ListItem key={r.id}>
          <ListItemText
            primary={<Link to={runbookPath(r.id as RunbookId)}>{r.title}</Link>}
            secondary={r.summary}
          />
        </ListItem>
      ))}
    </List>
  );
}

function RunbookById() {
  const { id } = useParams();
  const [search] = useSearchParams();
  const service = search.get('service') ?? undefined;
  return <RunbookContent id={id!} service={service} showServiceRunbook />;
}

/**
 * `/tracing-health/runbooks` (the library) and `/tracing-health/runbooks/:id?service=NAME`
 * (one runbook filled in for a service, its team runbook first).
 */
export function RunbookPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Tracing runbooks"
        subtitle="What to do when tracing breaks"
      />
      <Content>
        <Routes>
          <Route path="/" element={<RunbookIndex />} />
          <Route path="/:id" element={<RunbookById />} />
        </Routes>
      </Content>
    </Page>
  );
}
