// @ts-check

/**
 * Entry spans (kind SERVER or CONSUMER) per rollup row: the requests a service received, its
 * traffic as owners mean it. Root spans alone read 0/s for every service only others call.
 * Rows written before this migration count 0 entry spans.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_health_coverage_rollups', table => {
    table.integer('entry_spans').notNullable().defaultTo(0);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_health_coverage_rollups', table => {
    table.dropColumn('entry_spans');
  });
};
