// The engine and its vocabulary are framework-free: no Backstage package, neither directly nor
// through the Backstage-facing @internal/plugin-tracing-health-common. Shared names come from
// @internal/tracing-model. Tests are held to the same rule.
const frameworkFree = ['@backstage/*', '@internal/plugin-*'];

module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  restrictedImportPatterns: frameworkFree,
  overrides: [
    {
      files: [
        '**/*.test.*',
        '**/__testUtils__/**',
        '**/__mocks__/**',
        '!src/**',
      ],
      rules: {
        'no-restricted-imports': [2, { patterns: frameworkFree }],
      },
    },
  ],
});
