// @ts-check

/**
 * The first migration: a key-value table for plugin state that does not deserve its own table.
 * Feature tables (policies, rollups, check results) come in their own migrations.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_health_state', table => {
    table.string('key', 255).primary();
    table.text('value').notNullable();
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now());
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_state');
};
