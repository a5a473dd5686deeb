// Loaded by jest (setupFilesAfterEnv) before each test file; browser polyfills that must exist
// before any import are in ../jest/polyfills.js.
import '@testing-library/jest-dom';
