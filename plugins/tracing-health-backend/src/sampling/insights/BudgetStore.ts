import { OwnerBudget } from '@internal/plugin-tracing-health-common';
import { Knex } from 'knex';
import { insertHistory } from '../store/changeHistory';

const BUDGETS = 'tracing_health_sampling_budgets';

export interface StoredBudget extends OwnerBudget {
  owner: string;
  updatedBy: string;
}

function fromRow(row: Record<string, any>): StoredBudget {
  const budget: StoredBudget = { owner: row.owner, updatedBy: row.updated_by };
  if (row.spans_per_second !== null && row.spans_per_second !== undefined)
    budget.spansPerSecond = Number(row.spans_per_second);
  if (row.bytes_per_day !== null && row.bytes_per_day !== undefined)
    budget.bytesPerDay = Number(row.bytes_per_day);
  return budget;
}

/** Owner budgets set through the API; each change is one transaction with its history row. */
export class BudgetStore {
  constructor(private readonly knex: Knex) {}

  async list(): Promise<StoredBudget[]> {
    return (await this.knex(BUDGETS).select().orderBy('owner')).map(fromRow);
  }

  async put(
    owner: string,
    budget: OwnerBudget,
    change: { actor: string; reason: string; at: Date },
  ): Promise<{ before?: StoredBudget; after: StoredBudget }> {
    return this.knex.transaction(async tx => {
      const previous = await tx(BUDGETS).where({ owner }).first();
      const row = {
        spans_per_second: budget.spansPerSecond ?? null,
        bytes_per_day: budget.bytesPerDay ?? null,
        updated_by: change.actor,
        updated_at: change.at,
      };
      if (previous) await tx(BUDGETS).where({ owner }).update(row);
      else await tx(BUDGETS).insert({ owner, ...row });
      const after = fromRow({ owner, ...row });
      const before = previous ? fromRow(previous) : undefined;
      await insertHistory(tx, 'budget-set', owner, before, after, change);
      return { before, after };
    });
  }

  async delete(
    owner: string,
    change: { actor: string; reason: string; at: Date },
  ): Promise<StoredBudget | undefined> {
    return this.knex.transaction(async tx => {
      const previous = await tx(BUDGETS).where({ owner }).first();
      if (!previous) return undefined;
      await tx(BUDGETS).where({ owner }).delete();
      const before = fromRow(previous);
      await insertHistory(tx, 'budget-delete', owner, before, null, change);
      return before;
    });
  }
}
