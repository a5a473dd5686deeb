import { createSearchClusterCheckType } from './elasticsearch';

/** OpenSearch: the same cluster health and disk APIs as Elasticsearch. */
export const opensearchCheckType = createSearchClusterCheckType('opensearch');
