import { Route, Routes } from 'react-router-dom';
import { BuilderPage } from './BuilderPage';
import { SavedReportPage } from './SavedReportPage';

/** /reports: the builder and saved reports; /reports/:id: a saved report with export and snapshots. */
export default function ReportsPage() {
  return (
    <Routes>
      <Route index element={<BuilderPage />} />
      <Route path=":id" element={<SavedReportPage />} />
    </Routes>
  );
}
