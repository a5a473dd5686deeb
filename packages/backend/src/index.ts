import { createBackend } from '@backstage/backend-defaults';
import { quietShutdownRootHttpRouter } from './quietShutdown';

const backend = createBackend();

// Backstage's root HTTP router, with requests answered by a quiet 503 + Retry-After while
// the backend stops (one warn line instead of an error stack per request).
backend.add(quietShutdownRootHttpRouter);

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the embedded default only (app-config.yaml); production signs in with
// GitHub (app-config.production.yaml). A provider without config is not set up, so the embedded
// default starts without the GitHub env vars.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

// catalog: the example entities in examples/
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// tracing health: OTLP ingest, coverage, sampling control plane, health checks
backend.add(import('@internal/plugin-tracing-health-backend'));

backend.start();
