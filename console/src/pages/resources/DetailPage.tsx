import { useState } from 'react';
import { Button, Card, Col, Descriptions, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { useAuth } from '../../auth';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { CommentsPanel } from '../review/CommentsPanel';
import { DiffTable, displayValue, type FieldChange } from '../review/DiffTable';
import { globalId, KindTag, localized, StatusTag, type LocalizedName, type ResourceKind, type ResourceStatus } from './common';
import './messages';

interface Provenance {
  feedId: string;
  /** Null when no feed is registered under feedId (seeded demo data). */
  feedName: string | null;
  sourceId: string;
  runId: string | null;
  fetchedAt: string;
  sourceUrl: string | null;
  contentHash: string;
}

interface ResourceDetail {
  id: string;
  kind: ResourceKind;
  title: string;
  summary: string | null;
  body: string | null;
  status: ResourceStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
  sourceUrl: string | null;
  categories: string[];
  tags: string[];
  audience: string[];
  department: { name: LocalizedName } | null;
  orgUnits: { code: string; name: string }[];
  provenance: Provenance[];
  docNumber?: string | null;
  validity?: string | null;
  publishedAt?: string | null;
  itemCode?: string | null;
  startsAt?: string | null;
  venue?: string | null;
}

interface RunNode {
  id: string;
  status: string;
  startedAt: string;
}

interface Version {
  version: number;
  contentHash: string;
  createdAt: string;
}

const DETAIL = `query ResourceDetail($id: ID!) {
  node(id: $id) {
    ... on Resource {
      id kind title summary body status version createdAt updatedAt sourceUrl categories tags audience
      department { name { zh en } }
      orgUnits { code name }
      provenance { feedId feedName sourceId runId fetchedAt sourceUrl contentHash }
    }
    ... on Policy { docNumber validity publishedAt }
    ... on Service { itemCode }
    ... on Event { startsAt venue }
  }
}`;
const RUNS = `query ProvenanceRuns($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on SyncRun { status startedAt }
  }
}`;
const VERSIONS = `query ResourceVersions($resourceId: ID!) { resourceVersions(resourceId: $resourceId) { version contentHash createdAt } }`;
const DIFF = `query ResourceDiff($resourceId: ID!, $from: Int!, $to: Int!) {
  resourceDiff(resourceId: $resourceId, fromVersion: $from, toVersion: $to) { field before after }
}`;

function ProvenanceTable({ provenance }: { provenance: Provenance[] }) {
  const { t } = useTranslation('resources');
  const runIds = [...new Set(provenance.flatMap((entry) => (entry.runId ? [globalId('SyncRun', entry.runId)] : [])))];
  // Runs are behind the feed roles: for other viewers they come back as null.
  const runs = useQuery({
    queryKey: ['provenanceRuns', runIds],
    queryFn: () => gql<{ nodes: (RunNode | null)[] }, { ids: string[] }>(RUNS, { ids: runIds }),
    enabled: runIds.length > 0,
  });
  const runById = new Map((runs.data?.nodes ?? []).filter((node): node is RunNode => node !== null).map((node) => [node.id, node]));
  return (
    <Table<Provenance>
      size="small"
      rowKey={(entry) => `${entry.feedId}:${entry.sourceId}`}
      pagination={false}
      dataSource={provenance}
      aria-label={t('detail.provenanceCaption')}
      title={() => <Typography.Text type="secondary">{t('detail.provenanceCaption')}</Typography.Text>}
      columns={[
        {
          title: t('detail.feed'),
          key: 'feed',
          render: (_value, entry) =>
            entry.feedName ?? (
              <Typography.Text type="secondary">
                {t('detail.feedHidden')} <Typography.Text code>{entry.feedId.slice(-8)}</Typography.Text>
              </Typography.Text>
            ),
        },
        {
          title: t('detail.run'),
          key: 'run',
          render: (_value, entry) => {
            const run = entry.runId ? runById.get(globalId('SyncRun', entry.runId)) : undefined;
            if (!run) return <Typography.Text code>{entry.runId?.slice(-8) ?? '—'}</Typography.Text>;
            return (
              <Space size={4}>
                <span>{formatDateTime(run.startedAt)}</span>
                <Tag>{run.status}</Tag>
              </Space>
            );
          },
        },
        { title: t('detail.fetchedAt'), dataIndex: 'fetchedAt', render: (value: string) => formatDateTime(value) },
        { title: t('detail.sourceId'), dataIndex: 'sourceId', ellipsis: true },
      ]}
    />
  );
}

function VersionsCard({ resourceId }: { resourceId: string }) {
  const { t } = useTranslation('resources');
  const [pair, setPair] = useState<{ from: number; to: number } | null>(null);
  const versions = useQuery({
    queryKey: ['resourceVersions', resourceId],
    queryFn: () => gql<{ resourceVersions: Version[] }, { resourceId: string }>(VERSIONS, { resourceId }),
    retry: false,
  });
  const diff = useQuery({
    queryKey: ['resourceDiff', resourceId, pair],
    queryFn: () => gql<{ resourceDiff: FieldChange[] }, { resourceId: string; from: number; to: number }>(DIFF, { resourceId, ...pair! }),
    enabled: pair !== null,
  });
  const list = versions.data?.resourceVersions ?? [];
  const options = list.map((item) => ({ value: item.version, label: `v${item.version}` }));
  return (
    <Card size="small" title={t('detail.versions')}>
      <PageState loading={versions.isLoading} error={versions.error} empty={list.length === 0} emptyText={t('detail.noVersions')} onRetry={() => void versions.refetch()}>
        <Table<Version>
          size="small"
          rowKey="version"
          pagination={false}
          dataSource={list}
          aria-label={t('detail.versionsCaption')}
          columns={[
            { title: t('detail.versionCol'), dataIndex: 'version', render: (value: number) => `v${value}` },
            { title: t('detail.createdAt'), dataIndex: 'createdAt', render: (value: string) => formatDateTime(value) },
            { title: t('detail.hash'), dataIndex: 'contentHash', render: (value: string) => <Typography.Text code>{value.slice(0, 12)}</Typography.Text> },
          ]}
        />
        {list.length > 1 && (
          <Space wrap style={{ marginTop: 12 }}>
            <Select aria-label={t('detail.compareFrom')} style={{ width: 90 }} options={options} value={pair?.from ?? list[1]!.version} onChange={(from: number) => setPair({ from, to: pair?.to ?? list[0]!.version })} />
            <span>→</span>
            <Select aria-label={t('detail.compareTo')} style={{ width: 90 }} options={options} value={pair?.to ?? list[0]!.version} onChange={(to: number) => setPair({ from: pair?.from ?? list[1]!.version, to })} />
            <Button onClick={() => setPair(pair ?? { from: list[1]!.version, to: list[0]!.version })}>{t('detail.compare')}</Button>
          </Space>
        )}
        {pair && (
          <PageState loading={diff.isLoading} error={diff.error} onRetry={() => void diff.refetch()}>
            <DiffTable changes={diff.data?.resourceDiff ?? []} caption={t('detail.compareLabel', { from: `v${pair.from}`, to: `v${pair.to}` })} />
          </PageState>
        )}
      </PageState>
    </Card>
  );
}

/** A resource: its content, where it came from (feed, run, when), its versions and comments. */
export function DetailPage() {
  const { t } = useTranslation('resources');
  const { hasRole } = useAuth();
  const id = useParams().id ?? '';
  const detail = useQuery({
    queryKey: ['resource', id],
    queryFn: () => gql<{ node: ResourceDetail | null }, { id: string }>(DETAIL, { id }),
  });
  const resource = detail.data?.node;
  const overseer = hasRole('REVIEWER') || hasRole('ORG_ADMIN') || hasRole('DEPARTMENT_ADMIN');
  const optional: [string, string | null | undefined][] = [
    [t('detail.docNumber'), resource?.docNumber],
    [t('detail.validity'), resource?.validity],
    [t('detail.publishedAt'), resource?.publishedAt ? formatDateTime(resource.publishedAt) : null],
    [t('detail.itemCode'), resource?.itemCode],
    [t('detail.startsAt'), resource?.startsAt ? formatDateTime(resource.startsAt) : null],
    [t('detail.venue'), resource?.venue],
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/resources">
        <ArrowLeftOutlined aria-hidden /> {t('back')}
      </Link>
      <PageState loading={detail.isLoading} error={detail.error} empty={!resource} emptyText={t('detail.notFound')} onRetry={() => void detail.refetch()}>
        {resource && (
          <>
            <Space size="small" wrap>
              <KindTag kind={resource.kind} />
              <Typography.Title level={3} style={{ margin: 0 }}>
                {resource.title}
              </Typography.Title>
              <StatusTag status={resource.status} />
            </Space>
            <Row gutter={16}>
              <Col span={14}>
                <Space direction="vertical" size="middle" style={{ width: '100%' }}>
                  <Card size="small" title={t('detail.overview')}>
                    <Descriptions size="small" column={2} bordered>
                      <Descriptions.Item label={t('detail.department')}>{resource.department ? localized(resource.department.name) : '—'}</Descriptions.Item>
                      <Descriptions.Item label={t('detail.version')}>v{resource.version}</Descriptions.Item>
                      <Descriptions.Item label={t('detail.orgUnits')} span={2}>
                        {resource.orgUnits.map((unit) => (
                          <Link key={unit.code} to={`/org/${encodeURIComponent(unit.code)}`} style={{ marginRight: 8 }}>
                            {unit.name}
                          </Link>
                        ))}
                      </Descriptions.Item>
                      {optional
                        .filter(([, value]) => value)
                        .map(([label, value]) => (
                          <Descriptions.Item key={label} label={label}>
                            {value}
                          </Descriptions.Item>
                        ))}
                      <Descriptions.Item label={t('detail.categories')}>{displayValue(resource.categories)}</Descriptions.Item>
                      <Descriptions.Item label={t('detail.audience')}>{displayValue(resource.audience)}</Descriptions.Item>
                      <Descriptions.Item label={t('detail.createdAt')}>{formatDateTime(resource.createdAt)}</Descriptions.Item>
                      <Descriptions.Item label={t('detail.updatedAt')}>{formatDateTime(resource.updatedAt)}</Descriptions.Item>
                      {resource.sourceUrl && (
                        <Descriptions.Item label={t('detail.sourceUrl')} span={2}>
                          <a href={resource.sourceUrl} target="_blank" rel="noreferrer noopener">
                            {resource.sourceUrl}
                          </a>
                        </Descriptions.Item>
                      )}
                    </Descriptions>
                    {resource.summary && <Typography.Paragraph style={{ marginTop: 12 }}>{resource.summary}</Typography.Paragraph>}
                    {resource.body && (
                      <Typography.Paragraph type="secondary" ellipsis={{ rows: 4, expandable: true }}>
                        {displayValue(resource.body)}
                      </Typography.Paragraph>
                    )}
                  </Card>
                  <Card size="small" title={t('detail.provenance')}>
                    <ProvenanceTable provenance={resource.provenance} />
                  </Card>
                </Space>
              </Col>
              <Col span={10}>
                <Space direction="vertical" size="middle" style={{ width: '100%' }}>
                  {overseer ? <VersionsCard resourceId={resource.id} /> : <Card size="small" title={t('detail.versions')}><Typography.Text type="secondary">{t('detail.versionsUnavailable')}</Typography.Text></Card>}
                  {overseer && (
                    <Card size="small">
                      <CommentsPanel resourceId={resource.id} canComment={hasRole('REVIEWER') || hasRole('ORG_ADMIN')} />
                    </Card>
                  )}
                </Space>
              </Col>
            </Row>
          </>
        )}
      </PageState>
    </Space>
  );
}
