// @ts-check

/**
 * Coverage rollups: span-derived figures per service in 1-minute buckets, so pages can chart
 * the last hours after a restart. Each backend process writes its own rows (instance_id), so
 * replicas never overwrite each other; readers sum the rows of a bucket. The row with
 * service '' holds fleet-wide trace judgements (each trace once). Times are epoch milliseconds.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_health_coverage_rollups', table => {
    table.string('service', 255).notNullable();
    table.bigInteger('bucket_start').notNullable();
    table.string('instance_id', 64).notNullable();
    table.integer('spans').notNullable().defaultTo(0);
    table.integer('error_spans').notNullable().defaultTo(0);
    table.integer('root_spans').notNullable().defaultTo(0);
    table.integer('orphan_spans').notNullable().defaultTo(0);
    table.integer('complete_traces').notNullable().defaultTo(0);
    table.integer('incomplete_traces').notNullable().defaultTo(0);
    table.double('duration_sum_seconds').notNullable().defaultTo(0);
    // JSON array of span counts per duration bucket (not cumulative), the last one +Inf.
    table.text('duration_counts').notNullable();
    table.bigInteger('last_seen').nullable();
    table.primary(['service', 'bucket_start', 'instance_id']);
    table.index(['bucket_start'], 'tracing_health_coverage_rollups_bucket_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_health_coverage_rollups');
};
