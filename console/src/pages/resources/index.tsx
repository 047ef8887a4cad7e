import { Route, Routes } from 'react-router-dom';
import { DetailPage } from './DetailPage';
import { SearchPage } from './SearchPage';

/** /resources: search with facets; /resources/:id: a resource with its provenance and versions. */
export default function ResourcesPage() {
  return (
    <Routes>
      <Route index element={<SearchPage />} />
      <Route path=":id" element={<DetailPage />} />
    </Routes>
  );
}
