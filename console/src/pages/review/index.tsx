import { useState } from 'react';
import { Badge, Button, Card, Col, Descriptions, Empty, Form, Input, Row, Segmented, Space, Steps, Switch, Table, Tag, Timeline, Typography, message } from 'antd';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { gql } from '../../api/client';
import { useAuth } from '../../auth';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { KindTag, PageLayout, type ResourceKind, ResourceLink } from '../resources/common';
import { CommentsPanel } from './CommentsPanel';
import { DiffTable, type FieldChange } from './DiffTable';
import './messages';

type CaseKind = 'NEW' | 'REVISION';
type Outcome = 'APPROVE' | 'REJECT';

interface QueueItem {
  id: string;
  kind: CaseKind;
  stage: string | null;
  submittedAt: string;
  resource: { id: string; title: string; kind: ResourceKind } | null;
}

interface ReviewCase {
  id: string;
  kind: CaseKind;
  state: string;
  stage: string | null;
  stages: string[];
  submittedBy: string | null;
  submittedByFeed: string | null;
  submittedAt: string;
  decisions: { reviewer: string; stage: string; outcome: Outcome; comment: string; at: string }[];
  changes: FieldChange[];
}

interface QueuePage {
  totalCount: number;
  byStage: { value: string; count: number }[];
  items: QueueItem[];
  hasNextPage: boolean;
  endCursor: string | null;
}

// The queue stays light (the query cost limit weighs every item); a case's diff and decisions load when it is opened.
const QUEUE = `query ReviewQueue($stage: String, $mine: Boolean, $after: String) {
  reviewQueue(stage: $stage, mine: $mine, first: 50, after: $after) {
    totalCount
    byStage { value count }
    items { id kind stage submittedAt resource { id title kind } }
    hasNextPage
    endCursor
  }
}`;
const HISTORY = `query ReviewHistory($resourceId: ID!) {
  reviewHistory(resourceId: $resourceId) {
    id kind state stage stages submittedBy submittedByFeed submittedAt
    decisions { reviewer stage outcome comment at }
    changes { field before after }
  }
}`;
const DECIDE = `mutation DecideReview($resourceId: ID!, $outcome: ReviewOutcome!, $comment: String!) {
  decideReview(resourceId: $resourceId, outcome: $outcome, comment: $comment) { id state stage }
}`;

const ALL = '__all__';

function CaseDetail({ item, onDecided }: { item: QueueItem; onDecided: () => void }) {
  const { t } = useTranslation('review');
  const { hasRole } = useAuth();
  const [comment, setComment] = useState('');
  const resourceId = item.resource?.id;
  const history = useQuery({
    queryKey: ['reviewHistory', resourceId],
    queryFn: () => gql<{ reviewHistory: ReviewCase[] }, { resourceId: string }>(HISTORY, { resourceId: resourceId! }),
    enabled: Boolean(resourceId),
  });
  const reviewCase = history.data?.reviewHistory.find((entry) => entry.id === item.id);
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

  return (
    <Card
      title={item.resource ? <ResourceLink id={item.resource.id} title={item.resource.title} /> : t('resourceGone')}
      extra={<Tag color={item.kind === 'NEW' ? 'blue' : 'orange'}>{t(`kind.${item.kind}`)}</Tag>}
      aria-label={item.resource?.title ?? t('resourceGone')}
    >
      <PageState loading={history.isLoading} error={history.error} empty={!reviewCase} emptyText={t('resourceGone')} onRetry={() => void history.refetch()}>
        {reviewCase && resourceId && (
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Steps
              size="small"
              current={reviewCase.stage ? reviewCase.stages.indexOf(reviewCase.stage) : reviewCase.stages.length}
              items={reviewCase.stages.map((stage) => ({ title: stage }))}
              aria-label={t('stages')}
            />
            <Descriptions size="small" column={2}>
              <Descriptions.Item label={t('submittedBy')}>{reviewCase.submittedBy ?? (reviewCase.submittedByFeed ? t('submittedByFeed') : '—')}</Descriptions.Item>
              <Descriptions.Item label={t('submittedAt')}>{formatDateTime(reviewCase.submittedAt)}</Descriptions.Item>
            </Descriptions>
            <DiffTable changes={reviewCase.changes} caption={t('changesCaption')} />
            <section aria-label={t('decisions')}>
              <Typography.Title level={5}>{t('decisions')}</Typography.Title>
              {reviewCase.decisions.length === 0 ? (
                <Typography.Text type="secondary">{t('noDecisions')}</Typography.Text>
              ) : (
                <Timeline
                  items={reviewCase.decisions.map((decision) => ({
                    color: decision.outcome === 'APPROVE' ? 'green' : 'red',
                    children: `${decision.stage} · ${decision.reviewer} · ${t(`outcome.${decision.outcome}`)}${decision.comment ? ` — ${decision.comment}` : ''} (${formatDateTime(decision.at)})`,
                  }))}
                />
              )}
            </section>
            {hasRole('REVIEWER') && (
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
            <CommentsPanel resourceId={resourceId} canComment={hasRole('REVIEWER') || hasRole('ORG_ADMIN')} />
          </Space>
        )}
      </PageState>
    </Card>
  );
}

function ReviewQueuePage() {
  const { t } = useTranslation('review');
  const client = useQueryClient();
  const { hasRole } = useAuth();
  const [stage, setStage] = useState<string>(ALL);
  // Reviewers see what they may decide now; others overseeing review (org admins) see every open case in scope.
  const [mine, setMine] = useState<boolean>(() => hasRole('REVIEWER'));
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const queue = useInfiniteQuery({
    queryKey: ['reviewQueue', stage, mine],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      (await gql<{ reviewQueue: QueuePage }, { stage: string | null; mine: boolean; after: string | null }>(QUEUE, { stage: stage === ALL ? null : stage, mine, after: pageParam })).reviewQueue,
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : null),
  });
  const data = queue.data?.pages[0];
  const items = queue.data?.pages.flatMap((page) => page.items) ?? [];
  const selected = items.find((item) => item.id === selectedId) ?? null;
  const allCount = data?.byStage.reduce((sum, bucket) => sum + bucket.count, 0) ?? 0;
  const stageOptions = [
    { value: ALL, label: <Space size={4}>{t('allStages')}<Badge count={allCount} showZero color="#1677ff" /></Space> },
    ...(data?.byStage ?? []).map((bucket) => ({ value: bucket.value, label: <Space size={4}>{bucket.value}<Badge count={bucket.count} showZero color="#8c8c8c" /></Space> })),
  ];

  return (
    <PageLayout title={t('title')}>
      <Space size="large" wrap>
        <Segmented aria-label={t('stageFilter')} options={stageOptions} value={stage} onChange={(value) => setStage(String(value))} />
        <Space size="small">
          <Switch id="review-mine" checked={mine} onChange={setMine} />
          <label htmlFor="review-mine">{t('mine')}</label>
        </Space>
      </Space>
      <PageState loading={queue.isLoading} error={queue.error} empty={items.length === 0} emptyText={t('empty')} onRetry={() => void queue.refetch()}>
        <Row gutter={16}>
          <Col span={9}>
            <Table<QueueItem>
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
                    <Space direction="vertical" size={2}>
                      <Button type="link" size="small" style={{ padding: 0, whiteSpace: 'normal', textAlign: 'left', height: 'auto' }} onClick={() => setSelectedId(item.id)} aria-label={t('open', { title: item.resource?.title ?? '' })} aria-pressed={item.id === selectedId}>
                        {item.resource?.title ?? t('resourceGone')}
                      </Button>
                      <Space size={4}>
                        {item.resource && <KindTag kind={item.resource.kind} />}
                        <Tag color={item.kind === 'NEW' ? 'blue' : 'orange'}>{t(`kind.${item.kind}`)}</Tag>
                      </Space>
                    </Space>
                  ),
                },
                { title: t('columns.stage'), dataIndex: 'stage', width: 64 },
                { title: t('columns.submittedAt'), dataIndex: 'submittedAt', width: 104, render: (value: string) => formatDateTime(value) },
              ]}
            />
            {queue.hasNextPage && (
              <Button block onClick={() => void queue.fetchNextPage()} loading={queue.isFetchingNextPage}>
                {t('loadMore', { shown: items.length, total: data?.totalCount ?? 0 })}
              </Button>
            )}
          </Col>
          <Col span={15}>
            {selected ? (
              <CaseDetail
                key={selected.id}
                item={selected}
                onDecided={() => {
                  setSelectedId(null);
                  void client.invalidateQueries({ queryKey: ['reviewQueue'] });
                  void client.invalidateQueries({ queryKey: ['reviewHistory'] });
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
    </PageLayout>
  );
}

export default ReviewQueuePage;
