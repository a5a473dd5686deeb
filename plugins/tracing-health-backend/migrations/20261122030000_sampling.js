// @ts-check

/**
 * The sampling control plane: each service's stored policy (a SamplingPolicyPatch over its
 * tier), the audit history of every change, emergency overrides, maintenance mode, and the
 * version counter every replica polls to pick up changes.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_health_sampling_policies', table => {
    table.string('service_name', 255).primary();
    table.text('policy').notNullable().comment('SamplingPolicyPatch as JSON');
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('tracing_health_sampling_history', table => {
    table.bigIncrements('id').primary();
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('actor', 255).notNullable();
    table.string('action', 32).notNullable();
    table
      .string('scope', 255)
      .notNullable()
      .comment("'global' or a service.name");
    table
      .text('before')
      .nullable()
      .comment('JSON of the record before, null if none');
    table
      .text('after')
      .nullable()
      .comment('JSON of the record after, null if none');
    table.text('reason').notNullable();
    table.index(['scope', 'id'], 'tracing_health_sampling_history_scope_idx');
  });

  await knex.schema.createTable('tracing_health_sampling_overrides', table => {
    table.string('id', 36).primary();
    table
      .string('scope', 255)
      .notNullable()
      .comment("'global' or a service.name");
    table.string('action', 16).notNullable().comment("'cap-rate' or 'disable'");
    table.double('max_rate').nullable();
    table.text('reason').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.index(['expires_at'], 'tracing_health_sampling_overrides_expiry_idx');
  });

  await knex.schema.createTable(
    'tracing_health_sampling_maintenance',
    table => {
      table
        .integer('id')
        .primary()
        .comment('always 1: at most one maintenance window');
      table.double('factor').nullable();
      table.double('max_rate').nullable();
      table.text('reason').notNullable();
      table.string('started_by', 255).notNullable();
      table.timestamp('started_at', { useTz: true }).notNullable();
      table.timestamp('expires_at', { useTz: true }).notNullable();
    },
  );

  await knex.schema.createTable('tracing_health_sampling_version', table => {
    table.integer('id').primary().comment('always 1');
    table.bigInteger('version').notNullable();
  });
  await knex('tracing_health_sampling_version').insert({ id: 1, version: 1 });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_sampling_version');
  await knex.schema.dropTable('tracing_health_sampling_maintenance');
  await knex.schema.dropTable('tracing_health_sampling_overrides');
  await knex.schema.dropTable('tracing_health_sampling_history');
  await knex.schema.dropTable('tracing_health_sampling_policies');
};
