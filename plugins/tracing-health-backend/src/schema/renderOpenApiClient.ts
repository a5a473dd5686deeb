/**
 * Renders the frontend's typed client from `openapi.yaml`: one method per operation (named after
 * its `operationId`), taking `{ path, query, body }` as the spec declares them and answering a
 * fetch `Response` whose `json()` is typed with the operation's `x-response-type` (a type of
 * `@internal/plugin-tracing-health-common`). Like the client `backstage-repo-tools package
 * schema openapi generate --client-package` writes, without its Java generator.
 */

type Json = any;

/** Where the client is written, from this package's directory. */
export const OPENAPI_CLIENT_FILE =
  '../tracing-health/src/schema/openapi/generated/index.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function resolveRef(spec: Json, value: Json): Json {
  if (!value?.$ref) return value;
  const path = String(value.$ref).replace(/^#\//, '').split('/');
  return resolveRef(
    spec,
    path.reduce((node: Json, key: string) => node?.[key], spec),
  );
}

/** A TypeScript type for a JSON schema (the subset openapi.yaml uses). */
export function schemaType(spec: Json, raw: Json): string {
  const schema = resolveRef(spec, raw);
  if (!schema) return 'unknown';
  if (schema.enum)
    return schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  if (schema.oneOf)
    return schema.oneOf.map((s: Json) => schemaType(spec, s)).join(' | ');
  if (schema.allOf)
    return schema.allOf.map((s: Json) => schemaType(spec, s)).join(' & ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `Array<${schemaType(spec, schema.items)}>`;
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0) return 'Record<string, unknown>';
      const required = new Set<string>(schema.required ?? []);
      return `{ ${properties
        .map(
          ([name, property]) =>
            `${name}${required.has(name) ? '' : '?'}: ${schemaType(
              spec,
              property,
            )}`,
        )
        .join('; ')} }`;
    }
    default:
      return 'unknown';
  }
}

const lcfirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

interface Rendered {
  method: string;
  imports: string[];
}

function renderOperation(
  spec: Json,
  path: string,
  verb: string,
  item: Json,
  operation: Json,
): Rendered {
  const parameters: Json[] = [
    ...(item.parameters ?? []),
    ...(operation.parameters ?? []),
  ].map(p => resolveRef(spec, p));
  const fields = (location: string) =>
    parameters
      .filter(p => p.in === location)
      .map(
        p => `${p.name}${p.required ? '' : '?'}: ${schemaType(spec, p.schema)}`,
      );
  const pathFields = fields('path');
  const queryFields = fields('query');
  const body = resolveRef(spec, operation.requestBody);
  const bodyType: string | undefined = body
    ? operation['x-request-type'] ??
      schemaType(spec, body.content?.['application/json']?.schema)
    : undefined;
  const requestFields = [
    pathFields.length ? `path: { ${pathFields.join('; ')} }` : undefined,
    queryFields.length
      ? `query${
          parameters.some(p => p.in === 'query' && p.required) ? '' : '?'
        }: { ${queryFields.join('; ')} }`
      : undefined,
    bodyType ? `body${body.required ? '' : '?'}: ${bodyType}` : undefined,
  ].filter(Boolean);
  const requestOptional =
    !pathFields.length &&
    !body?.required &&
    !parameters.some(p => p.in === 'query' && p.required);
  const responseType: string = operation['x-response-type'] ?? 'unknown';
  const url = path.replace(
    /\{(\w+)\}/g,
    (_m, name) => `\${encodeURIComponent(request.path.${name})}`,
  );
  const argument = requestFields.length
    ? `request${requestOptional ? '?' : ''}: { ${requestFields.join('; ')} }`
    : '';
  const doc = String(operation.description ?? '')
    .trim()
    .split('\n')[0];
  const method = `  /** \`${verb.toUpperCase()} ${path}\`: ${doc} */
  async ${lcfirst(
    operation.operationId,
  )}(${argument}): Promise<TypedResponse<${responseType}>> {
    return this.request('${verb.toUpperCase()}', \`${url}\`, ${
    queryFields.length ? 'request?.query' : 'undefined'
  }, ${bodyType ? 'request?.body' : 'undefined'});
  }`;
  const imports =
    [bodyType, responseType].join(' ').match(/\b[A-Z]\w+\b/g) ?? [];
  return {
    method,
    imports: imports.filter(name => !['Array', 'Record'].includes(name)),
  };
}

/** The generated client's source, from the parsed openapi.yaml. */
export function renderOpenApiClient(spec: Json): string {
  const rendered: Rendered[] = [];
  for (const [path, item] of Object.entries<Json>(spec.paths)) {
    for (const verb of METHODS) {
      const operation = item[verb];
      if (!operation || operation['x-raw-body']) continue;
      rendered.push(renderOperation(spec, path, verb, item, operation));
    }
  }
  const imports = [...new Set(rendered.flatMap(r => r.imports))].sort();
  return `// ******************************************************************
// * THIS IS A GENERATED FILE. DO NOT EDIT IT: edit                   *
// * plugins/tracing-health-backend/src/schema/openapi.yaml, then run *
// * \`yarn generate:openapi\` in plugins/tracing-health-backend.       *
// ******************************************************************
/* eslint-disable */
import type {
${imports.map(name => `  ${name},`).join('\n')}
} from '@internal/plugin-tracing-health-common';

/** A fetch \`Response\` whose \`json()\` is the operation's response type. */
export type TypedResponse<T> = Omit<Response, 'json'> & { json(): Promise<T> };

/** The client of the \`${spec.info.title}\` backend plugin's API (${
    spec.info.title
  } \`openapi.yaml\`). */
export class DefaultApiClient {
  private readonly discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...args) => fetch(...args) };
  }

  private async request(
    method: string,
    path: string,
    query: Record<string, string | string[] | undefined> | undefined,
    body: unknown,
  ): Promise<Response> {
    const base = await this.discoveryApi.getBaseUrl(${JSON.stringify(
      spec.info.title,
    )});
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
    }
    const search = params.toString();
    return this.fetchApi.fetch(\`\${base}\${path}\${search ? \`?\${search}\` : ''}\`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
  }

${rendered.map(r => r.method).join('\n\n')}
}
`;
}
