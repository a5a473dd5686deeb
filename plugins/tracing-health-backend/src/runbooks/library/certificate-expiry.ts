import { RunbookTemplate } from '../RunbookTemplate';

export const certificateExpiry: RunbookTemplate = {
  id: 'certificate-expiry',
  title: 'Certificate expiring',
  summary:
    'A TLS certificate on the trace path expires soon (or has expired); when it does, exports or queries fail.',
  markdown: `## Symptoms
- The TLS check reports fewer than 30 days (warning) or 7 days (critical) to expiry, or an expired certificate.
- After expiry: exporters log \`x509: certificate has expired\`, SDKs fail to connect.

## Diagnosis
1. Which endpoint and certificate: the check names the subject, issuer and expiry date.
2. Who issues it? cert-manager (\`kubectl get certificate -A\`), an internal CA, or a public CA.
3. Why did renewal not happen? cert-manager events (\`kubectl describe certificate\`), ACME challenge failures, expired credentials of the issuer.

## Resolution
- Renew: \`cmctl renew <certificate>\` (cert-manager) or issue a new certificate from the CA, then reload the server (many Collector receivers reload certificates on change; otherwise restart).
- Verify: \`openssl s_client -connect <host:port> -servername <host> </dev/null | openssl x509 -noout -dates\`.
- If clients pin the CA, distribute the new CA bundle first.

## Prevention
- Automate renewal 30 days before expiry; keep this check on every TLS endpoint of the trace path.
`,
};
