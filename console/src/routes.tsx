import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './auth';
import { PageState } from './components';
import { AppLayout } from './layout/AppLayout';
import { HomePage } from './pages/home/HomePage';
import { LoginPage } from './pages/login/LoginPage';
import { NotFound } from './pages/NotFound';

const FeedsPages = lazy(() => import('./pages/feeds'));
const RunsPages = lazy(() => import('./pages/runs'));
const QuarantinePages = lazy(() => import('./pages/quarantine'));
const ReviewPages = lazy(() => import('./pages/review'));
const ResourcesPages = lazy(() => import('./pages/resources'));
const ReportsPages = lazy(() => import('./pages/reports'));
const OrgPages = lazy(() => import('./pages/org'));

/** Signed-out visitors go to /login (and come back after signing in). */
function RequireAuth({ children }: { children: ReactNode }) {
  const { viewer, checking } = useAuth();
  const location = useLocation();
  if (checking) return <PageState loading />;
  if (!viewer?.authenticated) return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <>{children}</>;
}

function page(element: ReactNode) {
  return <Suspense fallback={<PageState loading />}>{element}</Suspense>;
}

/** Routes under the /console base. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<HomePage />} />
        <Route path="feeds/*" element={page(<FeedsPages />)} />
        <Route path="runs/*" element={page(<RunsPages />)} />
        <Route path="quarantine/*" element={page(<QuarantinePages />)} />
        <Route path="review/*" element={page(<ReviewPages />)} />
        <Route path="resources/*" element={page(<ResourcesPages />)} />
        <Route path="reports/*" element={page(<ReportsPages />)} />
        <Route path="org/*" element={page(<OrgPages />)} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
