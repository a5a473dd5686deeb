// Preloaded (node --require) by check-built-package.js, in the main thread and, through the
// inherited execArgv, in worker threads: resolves each @internal/* workspace package by its
// publishConfig.main (its built dist/) instead of its TypeScript source, as the packed packages of
// a production backend bundle are.
'use strict';

const Module = require('node:module');
const { dirname, join } = require('node:path');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolvePacked(request, parent, ...rest) {
  if (request.startsWith('@internal/') && !request.slice(10).includes('/')) {
    const manifestPath = resolveFilename.call(
      this,
      `${request}/package.json`,
      parent,
      ...rest,
    );
    const manifest = require(manifestPath);
    const main = manifest.publishConfig && manifest.publishConfig.main;
    if (main) return join(dirname(manifestPath), main);
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
