import { useEffect, useState } from 'react';
import { Breadcrumb, Button, Card, Col, Descriptions, Empty, Row, Segmented, Space, Table, Tag, Tree, Typography } from 'antd';
import type { DataNode, EventDataNode } from 'antd/es/tree';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { KindTag, localized, type LocalizedName, PageLayout, type ResourceKind, ResourceLink } from '../resources/common';
import './messages';

type Scope = 'INHERITED' | 'SELF' | 'SUBTREE';

interface Unit {
  code: string;
  name: string;
  level: number;
  kind: string;
}

interface UnitDetail extends Unit {
  address: string | null;
  phone: string | null;
  ancestors: Unit[];
}

interface ResourceRow {
  id: string;
  kind: ResourceKind;
  title: string;
  department: { name: LocalizedName } | null;
  orgUnits: { code: string; name: string; level: number }[];
}

interface ResourcePage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: ResourceRow[];
}

const UNIT_FIELDS = 'code name level kind';
const ROOTS = `query OrgRoots { orgUnits { ${UNIT_FIELDS} } }`;
const CHILDREN = `query OrgChildren($code: String!) { orgUnit(code: $code) { children { ${UNIT_FIELDS} } } }`;
const UNIT = `query OrgUnit($code: String!) { orgUnit(code: $code) { ${UNIT_FIELDS} address phone ancestors { ${UNIT_FIELDS} } } }`;
const RESOURCES = `query OrgResources($code: String!, $scope: OrgScope!, $after: String) {
  orgUnit(code: $code) {
    resources(first: 20, after: $after, scope: $scope, orderBy: { field: UPDATED_AT, direction: DESC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id kind title department { name { zh en } } orgUnits { code name level } }
    }
  }
}`;

const LEAF_LEVEL = 4;

/** The four levels, loaded a level at a time as branches open; the selected unit's branch opens itself. */
function OrgTree({ selected, path }: { selected: string | undefined; path: string[] }) {
  const { t } = useTranslation('org');
  const navigate = useNavigate();
  const client = useQueryClient();
  const [children, setChildren] = useState<ReadonlyMap<string, Unit[]>>(new Map());
  const [expanded, setExpanded] = useState<string[]>([]);
  const roots = useQuery({ queryKey: ['orgRoots'], queryFn: () => gql<{ orgUnits: Unit[] }>(ROOTS) });
  const load = async (code: string) => {
    const data = await client.fetchQuery({
      queryKey: ['orgChildren', code],
      queryFn: () => gql<{ orgUnit: { children: Unit[] } | null }, { code: string }>(CHILDREN, { code }),
    });
    setChildren((current) => new Map(current).set(code, data.orgUnit?.children ?? []));
  };
  const rootCodes = roots.data?.orgUnits.map((unit) => unit.code) ?? [];
  // Open at the city: its districts are the first thing anyone looks for.
  const pathKey = (path.length > 0 ? path : rootCodes).join('/');
  useEffect(() => {
    const branch = pathKey ? pathKey.split('/') : [];
    if (branch.length === 0) return;
    void Promise.all(branch.map(load)).then(() => setExpanded((current) => [...new Set([...current, ...branch])]));
    // Keyed by the codes: a new array naming the same branch must not reload it.
  }, [pathKey]);
  const node = (unit: Unit): DataNode => ({
    key: unit.code,
    title: unit.name,
    isLeaf: unit.level >= LEAF_LEVEL,
    children: children.get(unit.code)?.map(node),
  });
  return (
    <PageState loading={roots.isLoading} error={roots.error} empty={(roots.data?.orgUnits ?? []).length === 0} emptyText={t('empty')} onRetry={() => void roots.refetch()}>
      <Tree
        aria-label={t('treeLabel')}
        treeData={(roots.data?.orgUnits ?? []).map(node)}
        loadData={(target: EventDataNode<DataNode>) => (children.has(String(target.key)) ? Promise.resolve() : load(String(target.key)))}
        expandedKeys={expanded}
        onExpand={(keys) => setExpanded(keys.map(String))}
        selectedKeys={selected ? [selected] : []}
        onSelect={(keys) => {
          const key = keys[0];
          if (key !== undefined) navigate(`/org/${encodeURIComponent(String(key))}`);
        }}
        style={{ maxHeight: 600, overflowY: 'auto' }}
      />
    </PageState>
  );
}

function AppliesHere({ unit }: { unit: UnitDetail }) {
  const { t } = useTranslation('org');
  const [scope, setScope] = useState<Scope>('INHERITED');
  const resources = useInfiniteQuery({
    queryKey: ['orgResources', unit.code, scope],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => {
      const data = await gql<{ orgUnit: { resources: ResourcePage } | null }, { code: string; scope: Scope; after: string | null }>(RESOURCES, { code: unit.code, scope, after: pageParam });
      return data.orgUnit?.resources ?? { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
    },
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  const rows = resources.data?.pages.flatMap((page) => page.nodes) ?? [];
  const total = resources.data?.pages[0]?.totalCount ?? 0;
  const ancestorCodes = new Set(unit.ancestors.map((ancestor) => ancestor.code));
  const caption = t('resourcesCaption', { unit: unit.name, scope: t(`scopes.${scope}`), count: total });
  const placement = (row: ResourceRow) => {
    const own = row.orgUnits.find((attached) => attached.code === unit.code);
    const above = row.orgUnits.find((attached) => ancestorCodes.has(attached.code));
    if (own) return <Tag color="blue">{t('own')}</Tag>;
    if (above) return <Tag color="purple">{`${t('inherited')} · ${above.name}`}</Tag>;
    return <Tag>{`${t('below')} · ${row.orgUnits[0]?.name ?? ''}`}</Tag>;
  };
  return (
    <Card
      size="small"
      title={t('resources')}
      extra={<Segmented aria-label={t('scope')} size="small" value={scope} onChange={(value) => setScope(value as Scope)} options={(['INHERITED', 'SELF', 'SUBTREE'] as const).map((value) => ({ value, label: t(`scopes.${value}`) }))} />}
    >
      <PageState loading={resources.isLoading} error={resources.error} empty={rows.length === 0} emptyText={t('noResources')} onRetry={() => void resources.refetch()}>
        <Table<ResourceRow>
          size="small"
          rowKey="id"
          dataSource={rows}
          pagination={false}
          aria-label={caption}
          title={() => <Typography.Text type="secondary">{caption}</Typography.Text>}
          scroll={{ y: 360 }}
          columns={[
            { title: t('columns.title'), key: 'title', render: (_value, row) => <ResourceLink id={row.id} title={row.title} /> },
            { title: t('columns.kind'), key: 'kind', width: 80, render: (_value, row) => <KindTag kind={row.kind} /> },
            { title: t('columns.department'), key: 'department', width: 120, render: (_value, row) => (row.department ? localized(row.department.name) : '—') },
            { title: t('attachedAt'), key: 'attachedAt', width: 200, render: (_value, row) => placement(row) },
          ]}
        />
        {resources.hasNextPage && (
          <Button style={{ marginTop: 8 }} onClick={() => void resources.fetchNextPage()} loading={resources.isFetchingNextPage}>
            {t('loadMore')}
          </Button>
        )}
      </PageState>
    </Card>
  );
}

function useUnit(code: string | undefined) {
  return useQuery({
    queryKey: ['orgUnit', code],
    queryFn: () => gql<{ orgUnit: UnitDetail | null }, { code: string }>(UNIT, { code: code! }),
    enabled: Boolean(code),
  });
}

function UnitPanel({ unit }: { unit: ReturnType<typeof useUnit> }) {
  const { t } = useTranslation('org');
  const detail = unit.data?.orgUnit;
  return (
    <PageState loading={unit.isLoading} error={unit.error} empty={!detail} emptyText={t('notFound')} onRetry={() => void unit.refetch()}>
      {detail && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small" title={detail.name}>
            <Breadcrumb
              aria-label={t('path')}
              items={[...detail.ancestors, detail].map((item) => ({
                key: item.code,
                title: item.code === detail.code ? item.name : <Link to={`/org/${encodeURIComponent(item.code)}`}>{item.name}</Link>,
              }))}
            />
            <Descriptions size="small" column={2} style={{ marginTop: 12 }}>
              <Descriptions.Item label={t('code')}>{detail.code}</Descriptions.Item>
              <Descriptions.Item label={t('unitLevel')}>{t(`level.${detail.level}`)}</Descriptions.Item>
              <Descriptions.Item label={t('unitKind')}>{t(`kind.${detail.kind}`, { defaultValue: detail.kind })}</Descriptions.Item>
              <Descriptions.Item label={t('address')}>{detail.address ?? '—'}</Descriptions.Item>
            </Descriptions>
          </Card>
          <AppliesHere key={detail.code} unit={detail} />
        </Space>
      )}
    </PageState>
  );
}

function OrgLayout() {
  const { t } = useTranslation('org');
  const code = useParams().code;
  const unit = useUnit(code);
  const detail = unit.data?.orgUnit;
  const path = detail ? [...detail.ancestors.map((ancestor) => ancestor.code), ...(detail.level < LEAF_LEVEL ? [detail.code] : [])] : [];
  return (
    <PageLayout title={t('title')}>
      <Row gutter={16}>
        <Col span={7}>
          <Card size="small" title={t('treeTitle')}>
            <OrgTree selected={code} path={path} />
          </Card>
        </Col>
        <Col span={17}>
          {code ? (
            <UnitPanel unit={unit} />
          ) : (
            <Card>
              <Empty description={t('pickOne')} />
            </Card>
          )}
        </Col>
      </Row>
    </PageLayout>
  );
}

/** /org: the tree; /org/:code: a unit with what applies to it (INHERITED by default). */
export default function OrgPage() {
  return (
    <Routes>
      {/* One optional segment keeps the tree mounted (and expanded) while the selection changes. */}
      <Route path=":code?" element={<OrgLayout />} />
    </Routes>
  );
}
