import { RunbookTemplate } from '../RunbookTemplate';
import { brokenPropagation } from './broken-propagation';
import { certificateExpiry } from './certificate-expiry';
import { checkFailing } from './check-failing';
import { collectorDown } from './collector-down';
import { elasticsearchClusterRed } from './elasticsearch-cluster-red';
import { elasticsearchDiskFull } from './elasticsearch-disk-full';
import { endpointDown } from './endpoint-down';
import { endpointSlow } from './endpoint-slow';
import { errorRate } from './error-rate';
import { exportFailures } from './export-failures';
import { highLatency } from './high-latency';
import { highQueryLatency } from './high-query-latency';
import { highQueue } from './high-queue';
import { jaegerQueryDown } from './jaeger-query-down';
import { kafkaLag } from './kafka-lag';
import { lowCompleteness } from './low-completeness';
import { memoryPressure } from './memory-pressure';
import { missingSpans } from './missing-spans';
import { noTraces } from './no-traces';
import { ownerOverBudget } from './owner-over-budget';
import { promqlThreshold } from './promql-threshold';
import { searchClusterUnreachable } from './search-cluster-unreachable';
import { serviceSilent } from './service-silent';
import { traceDataLoss } from './trace-data-loss';

/** Every runbook the backend serves, written for this product. */
export const RUNBOOK_LIBRARY: RunbookTemplate[] = [
  brokenPropagation,
  certificateExpiry,
  checkFailing,
  collectorDown,
  elasticsearchClusterRed,
  elasticsearchDiskFull,
  endpointDown,
  endpointSlow,
  errorRate,
  exportFailures,
  highLatency,
  highQueryLatency,
  highQueue,
  jaegerQueryDown,
  kafkaLag,
  lowCompleteness,
  memoryPressure,
  missingSpans,
  noTraces,
  ownerOverBudget,
  promqlThreshold,
  searchClusterUnreachable,
  serviceSilent,
  traceDataLoss,
];
