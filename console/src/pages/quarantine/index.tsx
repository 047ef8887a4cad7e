import { RedoOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Radio, Row, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { formatDateTime, PageState, RequireRole } from '../../components';
import { FEED_ROLES, feedKeys, FeedPicker, feedQuarantine, listFeeds, requeueQuarantined, type QuarantineEntry } from '../../feeds';
import { useTranslation } from '../../i18n';

/** /quarantine?feed=ID: a feed's quarantined records, the raw record beside its reasons; requeue. */
export default function QuarantinePages() {
  return (
    <RequireRole roles={FEED_ROLES}>
      <QuarantinePage />
    </RequireRole>
  );
}

const STATUSES = ['OPEN', 'REQUEUED', 'RESOLVED'] as const;

function QuarantinePage() {
  const { t } = useTranslation('feeds');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [status, setStatus] = useState<QuarantineEntry['status']>('OPEN');
  const [selected, setSelected] = useState<string[]>([]);
  const [openId, setOpenId] = useState<string | null>(null);
  const feeds = useQuery({ queryKey: feedKeys.list(), queryFn: listFeeds });
  const feedId = params.get('feed') ?? feeds.data?.[0]?.id;
  const entries = useQuery({ queryKey: [...feedKeys.quarantine(feedId ?? ''), status], queryFn: () => feedQuarantine(feedId!, status), enabled: Boolean(feedId) });
  const open = entries.data?.find((entry) => entry.id === openId) ?? entries.data?.[0];

  const requeue = useMutation({
    mutationFn: (ids: string[]) => requeueQuarantined(ids),
    onSuccess: (outcomes) => {
      const summary = outcomes
        .map((outcome) => (outcome.run ? `${t(`runStatus.${outcome.run.status}`)}（${t('runs.stats.quarantined')} ${outcome.run.stats.quarantined}）` : t(`reason.${outcome.reason ?? 'BUSY'}`, { defaultValue: outcome.reason ?? '' })))
        .join('；');
      void message.success(t('quarantine.requeued', { summary }));
      setSelected([]);
    },
    onError: (error) => void message.error(error.message),
    onSettled: () => queryClient.invalidateQueries({ queryKey: feedKeys.all }),
  });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('quarantine.title')}
      </Typography.Title>
      <PageState loading={feeds.isLoading} error={feeds.error} onRetry={() => void feeds.refetch()} empty={feeds.data?.length === 0} emptyText={t('runs.noFeeds')}>
        <Space wrap size="large">
          <FeedPicker
            value={feedId}
            onChange={(id) => {
              setParams({ feed: id });
              setSelected([]);
              setOpenId(null);
            }}
          />
          <Radio.Group
            aria-label={t('quarantine.statusFilter')}
            optionType="button"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as QuarantineEntry['status']);
              setSelected([]);
              setOpenId(null);
            }}
            options={STATUSES.map((value) => ({ value, label: t(`quarantine.status.${value}`) }))}
          />
          <Button icon={<RedoOutlined aria-hidden />} disabled={selected.length === 0} loading={requeue.isPending} onClick={() => requeue.mutate(selected)}>
            {t('quarantine.requeueSelected', { count: selected.length })}
          </Button>
        </Space>
        <div style={{ height: 12 }} />
        <PageState loading={entries.isLoading} error={entries.error} onRetry={() => void entries.refetch()} empty={entries.data?.length === 0} emptyText={t('quarantine.empty')}>
          <Row gutter={16}>
            <Col xs={24} lg={10}>
              <Table<QuarantineEntry>
                size="small"
                rowKey="id"
                dataSource={entries.data}
                pagination={{ pageSize: 12, hideOnSinglePage: true }}
                rowSelection={status === 'RESOLVED' ? undefined : { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
                rowClassName={(entry) => (entry.id === open?.id ? 'ant-table-row-selected' : '')}
                columns={[
                  {
                    title: t('mapping.sourceId'),
                    dataIndex: 'sourceId',
                    ellipsis: true,
                    render: (sourceId: string, entry) => (
                      <Button type="link" size="small" style={{ padding: 0 }} aria-label={t('quarantine.select', { sourceId })} aria-pressed={entry.id === open?.id} onClick={() => setOpenId(entry.id)}>
                        {sourceId}
                      </Button>
                    ),
                  },
                  { title: t('mapping.code'), dataIndex: 'code', width: 110, render: (code: string) => <Tag color="orange">{t(`quarantine.codes.${code}`, { defaultValue: code })}</Tag> },
                  { title: t('quarantine.lastSeen'), dataIndex: 'lastSeenAt', width: 160, render: (value: string) => formatDateTime(value) },
                ]}
              />
            </Col>
            <Col xs={24} lg={14}>{open ? <EntryDetail entry={open} onRequeue={() => requeue.mutate([open.id])} requeueing={requeue.isPending} /> : <Typography.Text type="secondary">{t('quarantine.pick')}</Typography.Text>}</Col>
          </Row>
        </PageState>
      </PageState>
    </Space>
  );
}

function EntryDetail({ entry, onRequeue, requeueing }: { entry: QuarantineEntry; onRequeue: () => void; requeueing: boolean }) {
  const { t } = useTranslation('feeds');
  return (
    <Card
      size="small"
      title={<h3 style={{ margin: 0, fontSize: 16 }}>{entry.sourceId}</h3>}
      extra={
        entry.status !== 'RESOLVED' && (
          <Button type="primary" size="small" icon={<RedoOutlined aria-hidden />} loading={requeueing} onClick={onRequeue}>
            {t('quarantine.requeue')}
          </Button>
        )
      }
    >
      <Descriptions size="small" column={2} style={{ marginBottom: 8 }}>
        <Descriptions.Item label={t('quarantine.firstSeen')}>{formatDateTime(entry.firstSeenAt)}</Descriptions.Item>
        <Descriptions.Item label={t('quarantine.lastSeen')}>{formatDateTime(entry.lastSeenAt)}</Descriptions.Item>
      </Descriptions>
      <Row gutter={12}>
        <Col span={14}>
          <section aria-label={t('quarantine.raw')}>
            <h4>{t('quarantine.raw')}</h4>
            {entry.raw === null ? <Alert type="info" showIcon message={t('quarantine.classified')} /> : <pre className="gx-pre" data-testid="quarantine-raw">{JSON.stringify(entry.raw, null, 2)}</pre>}
          </section>
        </Col>
        <Col span={10}>
          <section aria-label={t('quarantine.reasons')}>
            <h4>{t('quarantine.reasons')}</h4>
            <Tag color="orange">{t(`quarantine.codes.${entry.code}`, { defaultValue: entry.code })}</Tag>
            <ul data-testid="quarantine-reasons" style={{ paddingLeft: 18 }}>
              {entry.reasons.map((reason, index) => (
                <li key={index}>{reason}</li>
              ))}
            </ul>
          </section>
        </Col>
      </Row>
    </Card>
  );
}
