import { Content } from '@backstage/core-components';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  parseTracingSettings,
  TRACING_HEALTH_ANNOTATIONS,
} from '@internal/plugin-tracing-health-common';
import Grid from '@material-ui/core/Grid';
import { EntityCoverageCard } from '../coverage';
import { EntityHealthChecksCard } from '../checks';
import { EntityRunbooksCard } from '../runbooks';
import { EntitySamplingCard } from '../sampling';
import { AnnotationErrors } from './AnnotationErrors';
import { OptInSnippetCard } from './OptInSnippetCard';
import { TracingSettingsCard } from './TracingSettingsCard';

/** The Tracing tab of a catalog entity. */
export function EntityTracingContent() {
  const { entity } = useEntity();
  const settings = parseTracingSettings(entity);

  if (!settings.optedIn) {
    return (
      <Content>
        <Grid container spacing={3} direction="column">
          {settings.errors.length > 0 && (
            <Grid item>
              <AnnotationErrors errors={settings.errors} />
            </Grid>
          )}
          <Grid item>
            <OptInSnippetCard serviceName={settings.serviceName} />
          </Grid>
          <Grid item>
            <MissingAnnotationEmptyState
              annotation={TRACING_HEALTH_ANNOTATIONS.enabled}
            />
          </Grid>
        </Grid>
      </Content>
    );
  }

  return (
    <Content>
      <Grid container spacing={3}>
        {settings.errors.length > 0 && (
          <Grid item xs={12}>
            <AnnotationErrors errors={settings.errors} />
          </Grid>
        )}
        <Grid item xs={12} md={6}>
          <TracingSettingsCard settings={settings} />
        </Grid>
        <Grid item xs={12}>
          <EntityCoverageCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <EntityHealthChecksCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <EntityRunbooksCard />
        </Grid>
        <Grid item xs={12}>
          <EntitySamplingCard />
        </Grid>
      </Grid>
    </Content>
  );
}
