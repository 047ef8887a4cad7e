import { useState } from 'react';
import { Badge, Button, Card, Col, Descriptions, Empty, Form, Input, Row, Segmented, Space, Steps, Table, Tag, Timeline, Typography, message } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { gql } from '../../api/client';
import { useAuth } from '../../auth';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { KindTag, ResourceLink, type ResourceKind } from '../resources/common';
import { CommentsPanel } from './CommentsPanel';
import { DiffTable, type FieldChange } from './DiffTable';
import './messages';

type CaseKind = 'NEW' | 'REVISION';
type Outcome = 'APPROVE' | 'REJECT';

interface ReviewCase {
  id: string;
  kind: CaseKind;
  stage: string | null;
  stages: string[];
  submittedBy: string | null;
  submittedByFeed: string | null;
  submittedAt: string;
  resource: { id: string; title: string; kind: ResourceKind } | null;
  decisions: { reviewer: string; stage: string; outcome: Outcome; comment: string; at: string }[];
  changes: FieldChange[];
}

interface QueueData {
  reviewQueue: { totalCount: number; byStage: { value: string; count: number }[]; items: ReviewCase[] };
}

const QUEUE = `query ReviewQueue($stage: String) {
  reviewQueue(stage: $stage, mine: true, first: 100) {
    totalCount
    byStage { value count }
    items {
      id kind stage stages submittedBy submittedByFeed submittedAt
      resource { id title kind }
      decisions { reviewer stage outcome comment at }
      changes { field before after }
    }
  }
}`;
const DECIDE = `mutation DecideReview($resourceId: ID!, $outcome: ReviewOutcome!, $comment: String!) {
  decideReview(resourceId: $resourceId, outcome: $outcome, comment: $comment) { id state stage }
}`;

const ALL = '__all__';

function CaseDetail({ item, onDecided }: { item: ReviewCase; onDecided: () => void }) {
  const { t } = useTranslation('review');
  const { hasRole } = useAuth();
  const [comment, setComment] = useState('');
  const resourceId = item.resource?.id;
  const decide = useMutation({
    mutationFn: (outcome: Outcome) =>
      gql<unknown, { resourceId: string; outcome: Outcome; comment: string }>(DECIDE, { resourceId: resourceId!, outcome, comment }),
    onSuccess: (_data, outcome) => {
      message.success(t(outcome === 'APPROVE' ? 'approved' : 'rejected', { stage: item.stage ?? '' }));
      setComment('');
      onDecided();
    },
    onError: (error: Error) => message.error(error.message),
  });
  const reject = () => {
    if (comment.trim().length === 0) {
      message.warning(t('rejectNeedsReason'));
      return;
    }
    decide.mutate('REJECT');
  };
  const current = item.stage ? item.stages.indexOf(item.stage) : item.stages.length;

  return (
    <Card
      title={item.resource ? <ResourceLink id={item.resource.id} title={item.resource.title} /> : t('resourceGone')}
      extra={<Tag color={item.kind === 'NEW' ? 'blue' : 'orange'}>{t(`kind.${item.kind}`)}</Tag>}
      aria-label={item.resource?.title ?? t('resourceGone')}
    >
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Steps size="small" current={current} items={item.stages.map((stage) => ({ title: stage }))} aria-label={t('stages')} />
        <Descriptions size="small" column={2}>
          <Descriptions.Item label={t('submittedBy')}>{item.submittedBy ?? (item.submittedByFeed ? t('submittedByFeed') : '—')}</Descriptions.Item>
          <Descriptions.Item label={t('submittedAt')}>{formatDateTime(item.submittedAt)}</Descriptions.Item>
        </Descriptions>
        <DiffTable changes={item.changes} caption={t('changesCaption')} />
        <section aria-label={t('decisions')}>
          <Typography.Title level={5}>{t('decisions')}</Typography.Title>
          {item.decisions.length === 0 ? (
            <Typography.Text type="secondary">{t('noDecisions')}</Typography.Text>
          ) : (
            <Timeline
              items={item.decisions.map((decision) => ({
                color: decision.outcome === 'APPROVE' ? 'green' : 'red',
                children: `${decision.stage} · ${decision.reviewer} · ${t(`outcome.${decision.outcome}`)}${decision.comment ? ` — ${decision.comment}` : ''} (${formatDateTime(decision.at)})`,
              }))}
            />
          )}
        </section>
        {resourceId && (
          <Form layout="vertical" onSubmitCapture={(event) => event.preventDefault()}>
            <Form.Item label={t('decisionComment')} htmlFor="review-decision-comment">
              <Input.TextArea id="review-decision-comment" rows={2} value={comment} onChange={(event) => setComment(event.target.value)} placeholder={t('decisionPlaceholder')} />
            </Form.Item>
            <Space>
              <Button type="primary" onClick={() => decide.mutate('APPROVE')} loading={decide.isPending && decide.variables === 'APPROVE'} disabled={decide.isPending}>
                {t('approve')}
              </Button>
              <Button danger onClick={reject} loading={decide.isPending && decide.variables === 'REJECT'} disabled={decide.isPending}>
                {t('reject')}
              </Button>
            </Space>
          </Form>
        )}
        {resourceId && <CommentsPanel resourceId={resourceId} canComment={hasRole('REVIEWER') || hasRole('ORG_ADMIN')} />}
      </Space>
    </Card>
  );
}

function ReviewQueuePage() {
  const { t } = useTranslation('review');
  const client = useQueryClient();
  const [stage, setStage] = useState<string>(ALL);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const queue = useQuery({
    queryKey: ['reviewQueue', stage],
    queryFn: () => gql<QueueData, { stage: string | null }>(QUEUE, { stage: stage === ALL ? null : stage }),
  });
  const data = queue.data?.reviewQueue;
  const items = data?.items ?? [];
  const selected = items.find((item) => item.id === selectedId) ?? null;
  const allCount = data?.byStage.reduce((sum, bucket) => sum + bucket.count, 0) ?? 0;
  const stageOptions = [
    { value: ALL, label: <Space size={4}>{t('allStages')}<Badge count={allCount} showZero color="#1677ff" /></Space> },
    ...(data?.byStage ?? []).map((bucket) => ({ value: bucket.value, label: <Space size={4}>{bucket.value}<Badge count={bucket.count} showZero color="#8c8c8c" /></Space> })),
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('title')}
      </Typography.Title>
      <Segmented aria-label={t('stageFilter')} options={stageOptions} value={stage} onChange={(value) => setStage(String(value))} />
      <PageState loading={queue.isLoading} error={queue.error} empty={items.length === 0} emptyText={t('empty')} onRetry={() => void queue.refetch()}>
        <Row gutter={16}>
          <Col span={10}>
            <Table<ReviewCase>
              size="small"
              rowKey="id"
              aria-label={t('queueLabel')}
              title={() => t('queueLabel')}
              dataSource={items}
              pagination={{ pageSize: 10, size: 'small', hideOnSinglePage: true }}
              rowClassName={(item) => (item.id === selectedId ? 'ant-table-row-selected' : '')}
              columns={[
                {
                  title: t('columns.title'),
                  key: 'title',
                  render: (_value, item) => (
                    <Button type="link" size="small" style={{ padding: 0, whiteSpace: 'normal', textAlign: 'left', height: 'auto' }} onClick={() => setSelectedId(item.id)} aria-label={t('open', { title: item.resource?.title ?? '' })} aria-pressed={item.id === selectedId}>
                      {item.resource?.title ?? t('resourceGone')}
                    </Button>
                  ),
                },
                {
                  title: t('columns.kind'),
                  key: 'kind',
                  width: 110,
                  render: (_value, item) => (
                    <Space size={2} wrap>
                      {item.resource && <KindTag kind={item.resource.kind} />}
                      <Tag color={item.kind === 'NEW' ? 'blue' : 'orange'}>{t(`kind.${item.kind}`)}</Tag>
                    </Space>
                  ),
                },
                { title: t('columns.stage'), dataIndex: 'stage', width: 70 },
                { title: t('columns.submittedAt'), dataIndex: 'submittedAt', width: 110, render: (value: string) => formatDateTime(value) },
              ]}
            />
          </Col>
          <Col span={14}>
            {selected ? (
              <CaseDetail
                key={selected.id}
                item={selected}
                onDecided={() => {
                  setSelectedId(null);
                  void client.invalidateQueries({ queryKey: ['reviewQueue'] });
                }}
              />
            ) : (
              <Card>
                <Empty description={t('pickOne')} />
              </Card>
            )}
          </Col>
        </Row>
      </PageState>
    </Space>
  );
}

export default ReviewQueuePage;
