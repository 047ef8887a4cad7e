import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Space, Table, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { formatDateTime, formatDuration, PageState } from '../../components';
import { DepartmentName, feedKeys, FeedStatusBadge, listFeeds, RunStatusBadge, type FeedSummary } from '../../feeds';
import { useTranslation } from '../../i18n';
import { FeedActions } from './FeedActions';

/** Feeds with their health: last success, lag, failure streak and a status badge. */
export function FeedList() {
  const { t } = useTranslation('feeds');
  const feeds = useQuery({ queryKey: feedKeys.list(), queryFn: listFeeds, refetchInterval: 30_000 });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t('title')}
        </Typography.Title>
        <Link to="/feeds/new">
          <Button type="primary" icon={<PlusOutlined aria-hidden />} tabIndex={-1}>
            {t('register')}
          </Button>
        </Link>
      </Space>
      <PageState loading={feeds.isLoading} error={feeds.error} onRetry={() => void feeds.refetch()} empty={feeds.data?.length === 0} emptyText={t('empty')}>
        <Table<FeedSummary>
          rowKey="id"
          size="middle"
          dataSource={feeds.data}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1100 }}
          aria-label={t('title')}
          columns={[
            { title: t('col.name'), dataIndex: 'name', render: (name: string, feed) => <Link to={`/feeds/${feed.id}`}>{name}</Link> },
            { title: t('col.department'), dataIndex: 'department', width: 100, render: (code: string) => <DepartmentName code={code} /> },
            { title: t('col.connector'), dataIndex: 'connector', width: 100 },
            { title: t('col.status'), key: 'status', width: 100, render: (_, feed) => <FeedStatusBadge feed={feed} /> },
            { title: t('col.lastSuccess'), key: 'lastSuccess', width: 170, render: (_, feed) => formatDateTime(feed.health.lastSuccessAt) },
            { title: t('col.lag'), key: 'lag', width: 100, render: (_, feed) => formatDuration(feed.health.lagSeconds) },
            {
              title: t('col.failureStreak'),
              key: 'failureStreak',
              width: 100,
              render: (_, feed) => <Typography.Text type={feed.health.failureStreak > 0 ? 'danger' : undefined}>{feed.health.failureStreak}</Typography.Text>,
            },
            { title: t('col.lastRun'), key: 'lastRun', width: 110, render: (_, feed) => (feed.lastRun ? <RunStatusBadge status={feed.lastRun.status} /> : '—') },
            { title: t('col.actions'), key: 'actions', width: 220, render: (_, feed) => <FeedActions feed={feed} size="small" /> },
          ]}
        />
      </PageState>
    </Space>
  );
}
