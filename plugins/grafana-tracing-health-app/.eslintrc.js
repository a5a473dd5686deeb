// ESLint for the Grafana app, run by `yarn lint` here and by ./scripts/test.sh's lint stage
// (`backstage-cli repo lint` only runs Backstage packages' lint scripts). The workspace's ESLint 8
// with the TypeScript, React and hooks rules the Grafana plugin template checks.
module.exports = {
  root: true,
  parser: '@typescript-eslint/parser',
  parserOptions: {
    ecmaVersion: 2022,
    sourceType: 'module',
    ecmaFeatures: { jsx: true },
  },
  plugins: ['@typescript-eslint', 'react', 'react-hooks'],
  extends: [
    'eslint:recommended',
    'plugin:@typescript-eslint/recommended',
    'plugin:react/recommended',
    'plugin:react/jsx-runtime',
    'plugin:react-hooks/recommended',
  ],
  settings: { react: { version: '18' } },
  env: { browser: true, node: true, es2022: true },
  ignorePatterns: ['dist/', 'node_modules/'],
  overrides: [
    {
      // Tests read generated dashboards and rule files as plain JSON/YAML documents.
      files: ['**/*.test.ts', '**/*.test.tsx', 'src/testUtils/**', 'jest/**'],
      env: { jest: true },
      rules: { '@typescript-eslint/no-explicit-any': 'off' },
    },
    {
      files: ['*.js', 'jest/**/*.js'],
      rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
  ],
};
