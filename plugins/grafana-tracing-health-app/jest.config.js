/** @type {import('jest').Config} */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', tsx: true },
    transform: { react: { runtime: 'automatic' } },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};

// ESM-only packages that @grafana/ui / @grafana/data pull in (found by scanning node_modules for
// packages without a CommonJS entry). Jest runs CommonJS, so swc transforms these too. The
// pattern also matches copies nested under another package's node_modules (workspace hoisting).
const esModules = [
  '@grafana/react-data-grid',
  '@wojtekmaj/date-utils',
  'd3',
  'd3-[a-z-]+',
  'delaunator',
  'earcut',
  'get-user-locale',
  'internmap',
  'marked',
  'memoize',
  'mimic-function',
  'ol',
  'pbf',
  'quick-lru',
  'quickselect',
  'rbush',
  'react-calendar',
  'robust-predicates',
  'uwrap',
];

module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.test.{ts,tsx}'],
  setupFiles: ['<rootDir>/jest/polyfills.js'],
  setupFilesAfterEnv: ['<rootDir>/src/setupTests.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', swcOptions],
    '^.+\\.m?js$': [
      '@swc/jest',
      {
        ...swcOptions,
        jsc: { ...swcOptions.jsc, parser: { syntax: 'ecmascript', jsx: true } },
      },
    ],
  },
  moduleNameMapper: {
    '\\.(css|scss|sass)$': '<rootDir>/jest/styleMock.js',
    '^react-inlinesvg$': '<rootDir>/jest/reactInlineSvgMock.js',
  },
  transformIgnorePatterns: [
    `/node_modules/(?!(?:.*/node_modules/)?(?:${esModules.join('|')})/)`,
  ],
};
