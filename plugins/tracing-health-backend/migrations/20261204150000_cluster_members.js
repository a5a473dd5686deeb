// @ts-check

/**
 * Portal replicas sharing this database (issue 15, `tracingHealth.cluster`): each live replica
 * has a row it refreshes every heartbeat; members are the rows seen within the TTL. `member_id`
 * is the replica's advertised internal base URL, so a replica that restarts at the same address
 * keeps its share of the traces; `instance_id` tells its runs apart, so an old run that stops
 * late does not remove the new one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_health_cluster_members', table => {
    table
      .string('member_id', 512)
      .primary()
      .comment('the advertised internal base URL of the replica');
    table.string('instance_id', 64).notNullable();
    table
      .bigInteger('started_at_ms')
      .notNullable()
      .comment('epoch ms of this run');
    table
      .bigInteger('last_seen_ms')
      .notNullable()
      .comment('epoch ms of the last heartbeat');
    table.index(['last_seen_ms'], 'tracing_health_cluster_members_seen_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_cluster_members');
};
