import { InfoCard } from '@backstage/core-components';
import {
  EffectiveSamplingPolicyResponse,
  SamplingHistoryEntry,
} from '@internal/plugin-tracing-health-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { SamplingHistoryTable } from './SamplingHistoryTable';
import { SamplingPolicyForm } from './SamplingPolicyForm';
import { SamplingPolicySummary } from './SamplingPolicySummary';
import { SamplingInsights } from './SamplingInsights';
import { ServiceNameConflict } from './ServiceNameConflict';

/** A service's sampling: the policy in force and its sources, the edit form, the history. */
export function SamplingCard(props: {
  serviceName: string;
  /** The component whose page shows the card. */
  entityRef?: string;
  response: EffectiveSamplingPolicyResponse;
  history: SamplingHistoryEntry[];
  canEdit: boolean;
  onChanged(response: EffectiveSamplingPolicyResponse): void;
}) {
  const [editing, setEditing] = useState(false);
  const { response } = props;
  // Several components claim the service.name: the backend refuses changes to its policy.
  const conflict = response.conflictingEntities;
  const canEdit = props.canEdit && !conflict;
  const subheader = [
    `service.name ${props.serviceName}`,
    response.tier && `tier ${response.tier}`,
    response.storedPolicy &&
      `changed by ${response.storedPolicy.updatedBy} on ${new Date(
        response.storedPolicy.updatedAt,
      ).toLocaleString()}`,
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <InfoCard title="Sampling" subheader={subheader}>
      {conflict && (
        <Box mb={2}>
          <ServiceNameConflict
            serviceName={props.serviceName}
            entityRef={props.entityRef}
            claimants={conflict}
          />
        </Box>
      )}
      <SamplingPolicySummary response={response} />
      <SamplingInsights
        serviceName={props.serviceName}
        entityRef={props.entityRef}
        onChanged={() => props.onChanged(response)}
      />
      <Box mt={2}>
        {canEdit && !editing && (
          <Button
            variant="outlined"
            color="primary"
            onClick={() => setEditing(true)}
          >
            Edit policy
          </Button>
        )}
        {!props.canEdit && !conflict && (
          <Typography variant="body2" color="textSecondary">
            Only the owners of this service (and the platform team) can change
            its sampling.
          </Typography>
        )}
        {canEdit && editing && (
          <SamplingPolicyForm
            serviceName={props.serviceName}
            response={response}
            onSaved={saved => {
              setEditing(false);
              props.onChanged(saved);
            }}
            onCancel={() => setEditing(false)}
          />
        )}
      </Box>
      <Box mt={3}>
        <SamplingHistoryTable title="Change history" items={props.history} />
      </Box>
    </InfoCard>
  );
}
