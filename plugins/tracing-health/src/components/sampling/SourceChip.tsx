import { SamplingPolicyLayer } from '@internal/plugin-tracing-health-common';
import Chip from '@material-ui/core/Chip';
import { SOURCE_LABELS } from './format';

/** Where a field of the effective policy came from. */
export function SourceChip(props: { source: SamplingPolicyLayer }) {
  const emergency =
    props.source === 'override' || props.source === 'maintenance';
  return (
    <Chip
      size="small"
      variant={emergency ? 'default' : 'outlined'}
      color={emergency ? 'secondary' : 'default'}
      label={SOURCE_LABELS[props.source]}
      data-testid="sampling-source"
      data-source={props.source}
    />
  );
}
