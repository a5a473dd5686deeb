import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-tracing-health-backend',
  'migrations',
);

/** Applies the plugin's knex migrations (`migrations/`, one file per change, ordered by name). */
export async function migrateDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}
