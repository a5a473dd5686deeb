import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  TRACING_HEALTH_PLUGIN_ID,
  tracingHealthPermissions,
} from '@internal/plugin-tracing-health-common';
import { migrateDatabase } from './database/migrateDatabase';
import { createMetricsRegistry } from './metrics/createMetricsRegistry';
import { createMetricsRouter } from './metrics/createMetricsRouter';
import { readMetricsConfig } from './metrics/readMetricsConfig';
import { registerAccessControl } from './auth';
import {
  createCoverageRouter,
  createSpanMetrics,
  readCoverageConfig,
  startCoverage,
} from './coverage';
import { createRouter } from './router';
import { createOpenApiValidation } from './schema/createOpenApiValidation';
import { createInputErrorHandler } from './schema/inputErrors';
import type { Handler } from 'express';
import {
  createDependenciesRouter,
  readServiceGraphConfig,
  serviceGraphOptions,
  startServiceGraph,
} from './serviceGraph';
import {
  createSamplingControlPlane,
  createSamplingPolicies,
  SAMPLING_UNAUTHENTICATED_PATHS,
} from './sampling';
import { CatalogServices } from './services/CatalogServices';
import { registerBudgetMetrics } from './sampling/insights/registerBudgetMetrics';
import { createIngestRouter } from './ingest/createIngestRouter';
import { startIngestLog } from './ingest/IngestLog';
import { PipelineStatusTracker } from './pipeline/PipelineStatusTracker';
import { PolicyEffectiveRates } from './pipeline/PolicyEffectiveRates';
import { PipelineHandle, startPipeline } from './pipeline/startPipeline';
import {
  CLUSTER_DISABLED,
  createClusterStatusRouter,
  startCluster,
} from './cluster';
import { createChecksRouter, createChecksService } from './checks';
import { RunbookService } from './runbooks';
import {
  CheckType,
  tracingHealthChecksExtensionPoint,
} from '@internal/plugin-tracing-health-node';

/**
 * The tracing-health backend plugin: routes under `/api/tracing-health`. This file only wires;
 * each concern lives in its own folder.
 */
export const tracingHealthPlugin = createBackendPlugin({
  pluginId: TRACING_HEALTH_PLUGIN_ID,
  register(env) {
    const addedCheckTypes: CheckType<any>[] = [];
    env.registerExtensionPoint(tracingHealthChecksExtensionPoint, {
      addCheckType(type) {
        addedCheckTypes.push(type);
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
      },
      async init({
        config,
        logger,
        database,
        httpAuth,
        httpRouter,
        lifecycle,
        catalog,
        auth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
      }) {
        const knex = await database.getClient();
        if (!database.migrations?.skip) {
          await migrateDatabase(knex);
        }
        // Who may call what, before any router: the public paths, and each external token kept
        // to its use (ingest token: POST /v1/traces only; read token: reads only).
        const metricsConfig = readMetricsConfig(config);
        registerAccessControl({
          config,
          auth,
          httpAuth,
          httpRouter,
          unauthenticatedPaths: [
            '/health',
            ...SAMPLING_UNAUTHENTICATED_PATHS,
            ...(metricsConfig.requireAuth ? [] : ['/metrics']),
          ],
        });
        // Requests to routes of src/schema/openapi.yaml are validated from it before any router.
        httpRouter.use(createOpenApiValidation());
        const registry = createMetricsRegistry();
        const catalogServices = new CatalogServices(catalog);
        permissionsRegistry.addPermissions(tracingHealthPermissions);

        // Built in dependency order: the stored policies (their source feeds the pipeline's
        // samplers), the pipeline, then the control plane, which shows the pipeline's rates.
        const policies = await createSamplingPolicies({
          config,
          logger,
          knex,
          auth,
          lifecycle,
          catalogServices,
        });
        // The embedded pipeline: OTLP in, sanitize, sample with the control plane's policies,
        // batch, export. Its ingest route goes first, before any router that parses bodies.
        const coverageConfig = readCoverageConfig(config);
        const serviceGraphConfig = readServiceGraphConfig(config);
        // Several replicas on this database (tracingHealth.cluster): each trace has one owner.
        // The heartbeat reports what the pipeline holds, and the pipeline routes with the
        // cluster, so the figure is read through the pipeline once it exists.
        const started: { pipeline?: PipelineHandle } = {};
        const cluster = await startCluster({
          config,
          knex,
          auth,
          httpAuth,
          registry,
          logger,
          lifecycle,
          heldSpans: () =>
            started.pipeline?.accounting.snapshot().inFlight ?? 0,
        });
        const embedded = await startPipeline({
          config,
          logger,
          registry,
          lifecycle,
          policySource: policies.policySource,
          spanMetrics: {
            completenessWindowMs:
              coverageConfig.completenessWindowSeconds * 1000,
            maxTraces: coverageConfig.maxTraces,
            maxServices: coverageConfig.maxServices,
          },
          serviceGraph: serviceGraphOptions(serviceGraphConfig, coverageConfig),
          cluster: cluster?.routing,
          beforeShutdown: cluster?.flushForwards,
        });
        started.pipeline = embedded.pipeline;
        if (cluster) {
          cluster.decideFailedForwardsWith(embedded.pipeline);
          httpRouter.use(cluster.router(embedded.pipeline, embedded.workers));
        }
        httpRouter.use(
          createClusterStatusRouter({
            httpAuth,
            status: async () => (cluster ? cluster.status() : CLUSTER_DISABLED),
          }),
        );
        const sampling = await createSamplingControlPlane({
          policies,
          logger,
          knex,
          auth,
          httpAuth,
          permissions,
          auditor,
          scheduler,
          catalogServices,
          adaptiveRates: {
            currentRate: serviceName => embedded.currentRates()[serviceName],
          },
          traceDigests: embedded.traceDigests,
        });
        registerBudgetMetrics(registry, sampling.insights);
        httpRouter.use(
          createIngestRouter({
            httpAuth,
            pipeline: embedded.pipeline,
            log: startIngestLog({
              config,
              logger,
              lifecycle,
              accounting: embedded.pipeline.accounting,
            }),
          }),
        );
        const pipelineStatus = new PipelineStatusTracker(embedded.pipeline);
        pipelineStatus.start();
        lifecycle.addShutdownHook(() => pipelineStatus.stop());

        httpRouter.use(sampling.router);

        // Span metrics count accepted spans before sampling, so they describe real traffic. In
        // worker mode the workers count them and report aggregates; in-process, they subscribe.
        // coverage.rollups is the checks' ServiceVolumeProvider.
        let spanMetrics = embedded.spanMetrics;
        if (!spanMetrics) {
          const inProcess = createSpanMetrics(coverageConfig, registry);
          embedded.inProcess?.onSpans(batch => inProcess.record(batch));
          spanMetrics = inProcess;
        }
        const coverage = await startCoverage({
          config: coverageConfig,
          knex,
          registry,
          spanMetrics,
          scheduler,
          lifecycle,
          auth,
          catalog,
          catalogServices,
          logger,
          effectiveRates: new PolicyEffectiveRates(
            sampling.policySource,
            embedded.currentRates,
          ),
        });
        httpRouter.use(
          createCoverageRouter({
            httpAuth,
            coverage: coverage.service,
            retentionHours: coverageConfig.retentionHours,
          }),
        );

        // Calls between services (the service graph) and the dependency routes.
        const serviceGraph = await startServiceGraph({
          config: serviceGraphConfig,
          coverage: coverageConfig,
          knex,
          registry,
          embedded,
          scheduler,
          lifecycle,
          catalog,
          catalogServices,
          logger,
        });
        httpRouter.use(
          createDependenciesRouter({
            httpAuth,
            dependencies: serviceGraph.dependencies,
          }),
        );

        // Health checks of the tracing system, the embedded pipeline and per-service volume.
        const checks = await createChecksService({
          config,
          logger,
          knex,
          scheduler,
          registry,
          listServices: credentials => catalogServices.list(credentials),
          ownCredentials: () => auth.getOwnServiceCredentials(),
          addedCheckTypes,
          serviceVolume: coverage.rollups,
          pipelineStatus,
        });
        const runbooks = new RunbookService({
          listServices: credentials => catalogServices.list(credentials),
          appBaseUrl: config.getOptionalString('app.baseUrl') ?? '',
          backendBaseUrl: `${
            config.getOptionalString('backend.baseUrl') ?? ''
          }/api/${TRACING_HEALTH_PLUGIN_ID}`,
        });
        httpRouter.use(
          createChecksRouter({ checks, runbooks, httpAuth, permissions }),
        );

        httpRouter.use(
          createMetricsRouter(registry, {
            cacheSeconds: metricsConfig.cacheSeconds,
          }),
        );
        httpRouter.use(
          await createRouter({ logger, httpAuth, catalogServices }),
        );
        // A rule a handler checks beyond the spec answers in the spec's one 400 shape.
        httpRouter.use(createInputErrorHandler() as unknown as Handler);
      },
    });
  },
});
