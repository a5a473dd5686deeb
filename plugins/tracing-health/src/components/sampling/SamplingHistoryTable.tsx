import { Table, TableColumn } from '@backstage/core-components';
import { SamplingHistoryEntry } from '@internal/plugin-tracing-health-common';
import { ACTION_LABELS, describeRecord } from './format';

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
      render: e => new Date(e.at).toLocaleString(),
      width: '14em',
    },
    { title: 'Who', field: 'actor' },
    ...(props.showScope ? [{ title: 'Scope', field: 'scope' }] : []),
    { title: 'Change', render: e => ACTION_LABELS[e.action] ?? e.action },
    {
      title: 'Before → after',
      render: e => (
        <code style={{ wordBreak: 'break-word' }}>
          {describeRecord(e.before)} → {describeRecord(e.after)}
        </code>
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
