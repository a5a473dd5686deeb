// Preload (NODE_OPTIONS="--require <this file>") that turns on V8's --trace-gc, which Node
// refuses in NODE_OPTIONS; V8 flags are per process, so the pipeline workers trace too.
require('node:v8').setFlagsFromString('--trace-gc');
