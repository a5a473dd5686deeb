// @ts-check

/**
 * Health-check results: every run (pruned after `historyRetentionDays`) and every status
 * transition (kept longer, for incidents and the monthly report's uptime).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_health_check_runs', table => {
    table.bigIncrements('id').primary();
    table.string('check_id', 255).notNullable();
    table.string('check_type', 100).notNullable();
    table.string('status', 16).notNullable();
    table.text('message').notNullable();
    table.double('value').nullable();
    table.double('threshold').nullable();
    table.string('unit', 32).nullable();
    table.string('runbook_id', 100).notNullable();
    table.string('service', 255).nullable();
    table.text('measurements_json').notNullable();
    table.text('state_json').nullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.integer('duration_ms').notNullable();
    table.index(['check_id', 'id'], 'tracing_health_check_runs_check_idx');
    table.index(['started_at'], 'tracing_health_check_runs_started_idx');
  });
  await knex.schema.createTable('tracing_health_check_transitions', table => {
    table.bigIncrements('id').primary();
    table.string('check_id', 255).notNullable();
    table.string('check_type', 100).notNullable();
    table.string('from_status', 16).nullable();
    table.string('to_status', 16).notNullable();
    table.text('message').notNullable();
    table.string('runbook_id', 100).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.index(
      ['check_id', 'at'],
      'tracing_health_check_transitions_check_idx',
    );
    table.index(['at'], 'tracing_health_check_transitions_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_check_transitions');
  await knex.schema.dropTable('tracing_health_check_runs');
};
