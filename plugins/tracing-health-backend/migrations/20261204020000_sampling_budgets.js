// @ts-check

/**
 * Owner budgets set through the API (issue 16): kept spans per second and/or bytes per day an
 * owner group's services may keep. Budgets from config are not stored; API ones replace them.
 * Changes are recorded in tracing_health_sampling_history with the owner as scope.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_health_sampling_budgets', table => {
    table.string('owner', 255).primary().comment('group entity ref');
    table.double('spans_per_second').nullable();
    table.double('bytes_per_day').nullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_sampling_budgets');
};
