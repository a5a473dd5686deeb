import { Content } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  parseTracingSettings,
  TRACING_HEALTH_ANNOTATIONS,
} from '@internal/plugin-tracing-health-common';
import Grid from '@material-ui/core/Grid';
import { EntityCoverageCard } from '../coverage';
import { EntityDependenciesCard } from '../dependencies';
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
    // One card naming what is wrong (a generic "missing annotation" card would repeat it, and
    // call an invalid value missing).
    return (
      <Content>
        <OptInSnippetCard
          serviceName={settings.serviceName}
          enabledValue={
            entity.metadata.annotations?.[TRACING_HEALTH_ANNOTATIONS.enabled]
          }
          errors={settings.errors}
        />
        {/* Others may call it: then it shows here as an uninstrumented dependency. */}
        <EntityDependenciesCard onlyIfCalled />
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
        <Grid item xs={12}>
          <EntityDependenciesCard />
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
