import '@testing-library/jest-dom';

// jsdom has no ResizeObserver; recharts' ResponsiveContainer needs one to mount.
if (!('ResizeObserver' in globalThis)) {
  (globalThis as any).ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// Tests that type with userEvent into several fields take seconds on a busy 2-core machine; the
// package.json `testTimeout` is ignored when the repo runs all packages as one multi-project jest
// run, so it is set here, where every test file of this package runs it.
jest.setTimeout(30_000);
