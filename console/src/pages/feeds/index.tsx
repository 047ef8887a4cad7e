import { Route, Routes } from 'react-router-dom';
import { RequireRole } from '../../components';
import { FEED_ROLES } from '../../feeds';
import { NotFound } from '../NotFound';
import { FeedDetail } from './FeedDetail';
import { FeedEditor } from './FeedEditor';
import { FeedList } from './FeedList';

/** /feeds, /feeds/new, /feeds/:id, /feeds/:id/edit */
export default function FeedsPages() {
  return (
    <RequireRole roles={FEED_ROLES}>
      <Routes>
        <Route index element={<FeedList />} />
        <Route path="new" element={<FeedEditor />} />
        <Route path=":id" element={<FeedDetail />} />
        <Route path=":id/edit" element={<FeedEditor />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </RequireRole>
  );
}
