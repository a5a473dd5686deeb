// @ts-check

/**
 * What a replica holds in memory, reported with every heartbeat (issue 15): spans it accepted
 * and has not yet exported or dropped. When a replica dies without removing its row (SIGKILL, a
 * crash, a lost node), the first survivor to see the row expire claims it (`loss_counted`) and
 * counts `held_spans` as lost, so the loss shows in its metrics instead of going unnoticed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_health_cluster_members', table => {
    table
      .bigInteger('held_spans')
      .notNullable()
      .defaultTo(0)
      .comment('spans this run held in memory at its last heartbeat');
    table
      .boolean('loss_counted')
      .notNullable()
      .defaultTo(false)
      .comment('a survivor (or the next run) has counted this run as lost');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_health_cluster_members', table => {
    table.dropColumn('held_spans');
    table.dropColumn('loss_counted');
  });
};
