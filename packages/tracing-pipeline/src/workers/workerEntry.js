'use strict';
// The entry of a pipeline worker thread (see WorkerPool.ts). Running from source (dev backend,
// jest, benchmarks) it registers the Backstage CLI's Node transform, the one `backstage-cli
// package start` uses, since a worker does not inherit the parent's require hooks.
let source;
try {
  source = require.resolve('./pipelineWorker.ts');
} catch {
  source = undefined;
}
if (source) {
  // Only from source, where the workspace's devDependencies are installed.
  // eslint-disable-next-line @backstage/no-undeclared-imports
  require('@backstage/cli/config/nodeTransform.cjs');
  require(source);
} else {
  require('./pipelineWorker.js');
}
