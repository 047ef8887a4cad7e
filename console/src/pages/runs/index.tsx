import { useQuery } from '@tanstack/react-query';
import { Card, Space, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import { PageState, RequireRole } from '../../components';
import { FEED_ROLES, feedKeys, FeedPicker, FeedRuns, listFeeds } from '../../feeds';
import { useTranslation } from '../../i18n';

/** /runs?feed=ID: a feed's sync runs as a timeline; a running sync is polled every 2 s. */
export default function RunsPages() {
  return (
    <RequireRole roles={FEED_ROLES}>
      <RunsPage />
    </RequireRole>
  );
}

function RunsPage() {
  const { t } = useTranslation('feeds');
  const [params, setParams] = useSearchParams();
  const feeds = useQuery({ queryKey: feedKeys.list(), queryFn: listFeeds });
  const feedId = params.get('feed') ?? feeds.data?.[0]?.id;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('runs.title')}
      </Typography.Title>
      <PageState loading={feeds.isLoading} error={feeds.error} onRetry={() => void feeds.refetch()} empty={feeds.data?.length === 0} emptyText={t('runs.noFeeds')}>
        <Card
          size="small"
          title={<FeedPicker value={feedId} onChange={(id) => setParams({ feed: id })} />}
          extra={feedId && <Link to={`/feeds/${feedId}`}>{t('detail')}</Link>}
        >
          {feedId && <FeedRuns feedId={feedId} first={30} idleRefreshMs={15_000} />}
        </Card>
      </PageState>
    </Space>
  );
}
