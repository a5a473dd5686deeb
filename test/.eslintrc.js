module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // The end-to-end suites drive the pipeline with its own test harness (the real-SDK client
    // and the OTLP sink in packages/tracing-pipeline/src/testing), which is not public API.
    '@backstage/no-forbidden-package-imports': 'off',
  },
});
