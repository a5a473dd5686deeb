import { RunbookTemplate } from '../RunbookTemplate';

export const searchClusterUnreachable: RunbookTemplate = {
  id: 'search-cluster-unreachable',
  title: 'Elasticsearch / OpenSearch unreachable',
  summary:
    'The span storage cluster did not answer `_cluster/health` (refused, timed out, rejected the credentials or returned something unreadable), so span writes and trace queries likely fail too.',
  markdown: `## Symptoms
- The elasticsearch or opensearch check is **critical** with "_cluster/health failed: ..." (\`ECONNREFUSED\`, timeout, \`401\`/\`403\`, TLS error).
- Jaeger queries fail; Collectors or Jaeger collectors log export errors to the storage.

## Diagnosis
1. Read the error: \`ECONNREFUSED\` (nothing listens on that host and port), timeout (nodes hang, often long GC pauses, or the network drops packets), \`401\`/\`403\` (the check's credentials are wrong or lack the \`monitor\` cluster privilege), TLS (certificate or CA mismatch, see the *certificate-expiry* runbook).
2. \`curl -sv <target>/_cluster/health\` from the portal host, with the same credentials as the check's \`headers\`.
3. Are the nodes running? \`kubectl get pods -l app=elasticsearch\` (or the managed service's console); the nodes' logs for out-of-memory and long GC.
4. Load balancer or ingress in front of the cluster: does it report the nodes healthy?

## Resolution
- Nodes down: restart them; a cluster that lost its master quorum needs a majority of master-eligible nodes back.
- Credentials: rotate or fix the check's \`headers\` (and those of the writers, if they share the account).
- Overloaded JVMs: raise heap (up to half of memory, below 32 GB) or add nodes; stop expensive queries.
- Network: fix the route, firewall or DNS between the portal and the cluster.
- Once it answers, the cluster-status and disk measurements show whether it came back green.

## Prevention
- Three master-eligible nodes; monitoring of node heap and GC.
- A dedicated monitoring user with the \`monitor\` privilege for this check, rotated with the others.
`,
};
