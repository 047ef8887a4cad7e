import { EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Descriptions, Space, Typography } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { formatDateTime, formatDuration, PageState } from '../../components';
import { DepartmentName, feedKeys, FeedRuns, FeedStatusBadge, getFeed } from '../../feeds';
import { useTranslation } from '../../i18n';
import { FeedActions } from './FeedActions';

/** One feed: its settings and health, run now / pause / resume, and its latest runs. */
export function FeedDetail() {
  const { id = '' } = useParams();
  const { t } = useTranslation('feeds');
  const feed = useQuery({ queryKey: feedKeys.one(id), queryFn: () => getFeed(id) });
  const data = feed.data;

  return (
    <PageState loading={feed.isLoading} error={feed.error} onRetry={() => void feed.refetch()} empty={feed.isSuccess && !data}>
      {data && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
            <Typography.Title level={2} style={{ margin: 0 }}>
              {data.name} <FeedStatusBadge feed={data} />
            </Typography.Title>
            <Space wrap>
              <FeedActions feed={data} />
              <Link to={`/feeds/${data.id}/edit`}>
                <Button icon={<EditOutlined aria-hidden />} tabIndex={-1}>
                  {t('edit')}
                </Button>
              </Link>
            </Space>
          </Space>
          <Card>
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label={t('col.department')}>
                <DepartmentName code={data.department} />
              </Descriptions.Item>
              <Descriptions.Item label={t('col.connector')}>{data.connector}</Descriptions.Item>
              <Descriptions.Item label={t('col.targetKind')}>{t(`kind.${data.targetKind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('col.schedule')}>{data.schedule.cron ? `${data.schedule.cron}（${data.schedule.timezone}）` : t('manualOnly')}</Descriptions.Item>
              <Descriptions.Item label={t('col.syncMode')}>{t(`mode.${data.syncMode}`)}</Descriptions.Item>
              <Descriptions.Item label={t('col.reviewPolicy')}>{t(`policy.${data.reviewPolicy}`)}</Descriptions.Item>
              <Descriptions.Item label={t('col.lastSuccess')}>{formatDateTime(data.health.lastSuccessAt)}</Descriptions.Item>
              <Descriptions.Item label={t('col.lag')}>{formatDuration(data.health.lagSeconds)}</Descriptions.Item>
              <Descriptions.Item label={t('col.failureStreak')}>{data.health.failureStreak}</Descriptions.Item>
              <Descriptions.Item label={t('col.orgScope')}>{data.orgScope.join('、') || '—'}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card
            title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('runs.recent')}</h3>}
            extra={
              <Space>
                <Link to={`/quarantine?feed=${data.id}`}>{t('quarantine.title')}</Link>
                <Link to={`/runs?feed=${data.id}`}>{t('runs.all')}</Link>
              </Space>
            }
          >
            <FeedRuns feedId={data.id} first={5} />
          </Card>
        </Space>
      )}
    </PageState>
  );
}
