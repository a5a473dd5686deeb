import { Table, TableColumn } from '@backstage/core-components';
import { SamplingHistoryEntry } from '@internal/plugin-tracing-health-common';
import { describeChange } from './describeChange';
import { ACTION_LABELS } from './format';

const NO_WRAP = { whiteSpace: 'nowrap' } as const;

/** `3 Dec 2026, 10:04`: short enough to stay on one line. */
function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

/** Changes, newest first: when, who, what, before → after, why. */
export function SamplingHistoryTable(props: {
  title: string;
  items: SamplingHistoryEntry[];
  showScope?: boolean;
}) {
  const columns: TableColumn<SamplingHistoryEntry>[] = [
    {
      title: 'When',
      field: 'at',
      render: e => (
        <span title={new Date(e.at).toLocaleString()}>{formatWhen(e.at)}</span>
      ),
      cellStyle: NO_WRAP,
    },
    { title: 'Who', field: 'actor' },
    ...(props.showScope ? [{ title: 'Scope', field: 'scope' }] : []),
    {
      title: 'Change',
      render: e => ACTION_LABELS[e.action] ?? e.action,
      cellStyle: NO_WRAP,
    },
    {
      title: 'Before → after',
      render: e => (
        <div data-testid="sampling-history-change">
          {describeChange(e).map((line, i) => (
            <div key={i}>{line}</div>
          ))}
        </div>
      ),
    },
    { title: 'Reason', field: 'reason' },
  ];
  return (
    <Table
      title={props.title}
      options={{
        paging: props.items.length > 10,
        pageSize: 10,
        search: false,
        padding: 'dense',
      }}
      columns={columns}
      data={props.items}
      emptyContent={<div style={{ padding: 16 }}>No changes yet.</div>}
    />
  );
}
