// @ts-check

/**
 * Service graph rollups: calls per edge (client service → server service, connection type) in
 * 1-minute buckets, like the coverage rollups: each backend process writes its own rows
 * (instance_id) and readers sum the rows of a bucket. Rows with client '' hold a server's orphan
 * server spans (its caller is unknown). Times are epoch milliseconds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(
    'tracing_health_service_graph_rollups',
    table => {
      table.string('client', 255).notNullable();
      table.string('server', 255).notNullable();
      table.string('connection_type', 32).notNullable();
      table.bigInteger('bucket_start').notNullable();
      table.string('instance_id', 64).notNullable();
      table.integer('requests').notNullable().defaultTo(0);
      table.integer('failed').notNullable().defaultTo(0);
      table.integer('broken').notNullable().defaultTo(0);
      table.integer('orphan_server_spans').notNullable().defaultTo(0);
      table.double('duration_sum_seconds').notNullable().defaultTo(0);
      // JSON array of calls per duration bucket (not cumulative), the last one +Inf.
      table.text('duration_counts').notNullable();
      table.primary([
        'client',
        'server',
        'connection_type',
        'bucket_start',
        'instance_id',
      ]);
      table.index(
        ['bucket_start'],
        'tracing_health_service_graph_rollups_bucket_idx',
      );
    },
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_service_graph_rollups');
};
