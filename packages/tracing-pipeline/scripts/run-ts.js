#!/usr/bin/env node
// Runs a TypeScript file (benchmarks, scripts) with the Backstage CLI's Node transform (swc), the
// same one `backstage-cli package start` uses: `node scripts/run-ts.js bench/pipeline.bench.ts [args]`.
'use strict';

const { resolve } = require('node:path');

require('@backstage/cli/config/nodeTransform.cjs');

const target = resolve(process.argv[2]);
process.argv.splice(1, 2, target);
require(target);
