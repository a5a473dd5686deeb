import { Suspense, lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';

import { PLUGIN_BASE_URL, ROUTES } from '../../constants';
import type { AppPluginSettings } from '../../types';

const Overview = lazy(() => import('../../pages/Overview'));

/** The app's root page: routes relative to `/a/<plugin id>/` (react-router v6, provided by Grafana). */
function App({ meta }: AppRootProps<AppPluginSettings>) {
  const isConfigured = Boolean(meta.jsonData?.portalUrl);
  return (
    <Suspense fallback={<LoadingPlaceholder text="" />}>
      <Routes>
        <Route
          path={ROUTES.Overview}
          element={
            <Overview
              isConfigured={isConfigured}
              portalUrl={meta.jsonData?.portalUrl}
            />
          }
        />
        {/* Default page */}
        <Route
          path="*"
          element={
            <Navigate to={`${PLUGIN_BASE_URL}/${ROUTES.Overview}`} replace />
          }
        />
      </Routes>
    </Suspense>
  );
}

export default App;
