import { useCallback, useEffect, useState } from 'react';

import { PortalError, toPortalError } from './portal';

export type PortalQueryState<T> =
  | { status: 'loading' }
  | { status: 'error'; error: PortalError }
  | { status: 'success'; data: T };

export type PortalQueryResult<T> = PortalQueryState<T> & {
  /** Runs the query again (e.g. from a "Retry" button). */
  reload: () => void;
};

/**
 * Runs a portal call (see `./portal`) when the component mounts and whenever `reload`
 * is called, and tracks its loading / error / success state. Results of a superseded
 * or unmounted run are dropped.
 *
 * `load` should be stable (a module-level function such as `getServices`, or wrapped in
 * useCallback), since a new function starts a new run.
 */
export function usePortalQuery<T>(
  load: () => Promise<T>,
): PortalQueryResult<T> {
  const [state, setState] = useState<PortalQueryState<T>>({
    status: 'loading',
  });
  const [run, setRun] = useState(0);

  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      data => {
        if (current) {
          setState({ status: 'success', data });
        }
      },
      (error: unknown) => {
        if (current) {
          setState({ status: 'error', error: toPortalError(error) });
        }
      },
    );
    return () => {
      current = false;
    };
  }, [load, run]);

  const reload = useCallback(() => setRun(n => n + 1), []);

  return { ...state, reload };
}
