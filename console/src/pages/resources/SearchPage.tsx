import { useMemo, useState } from 'react';
import { Button, Card, Checkbox, Col, Input, List, Row, Space, Typography } from 'antd';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { KindTag, localized, type LocalizedName, PageLayout, type ResourceKind, ResourceLink, type ResourceStatus, StatusTag } from './common';
import './messages';

interface Bucket {
  value: string;
  count: number;
}

interface Facets {
  department: Bucket[];
  kind: Bucket[];
  category: Bucket[];
  orgLevel: Bucket[];
}

interface Hit {
  id: string;
  kind: ResourceKind;
  title: string;
  summary: string | null;
  status: ResourceStatus;
  updatedAt: string;
  department: { code: string; name: LocalizedName } | null;
  orgUnits: { name: string }[];
}

interface Page {
  totalCount: number;
  facets: Facets;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: Hit; highlights?: { title: string; body: string | null } }[];
}

interface Filter {
  departments?: string[];
  kinds?: string[];
  categories?: string[];
  orgLevels?: number[];
}

const HIT_FIELDS = `id kind title summary status updatedAt department { code name { zh en } } orgUnits { name }`;
const FACET_FIELDS = `facets { department { value count } kind { value count } category { value count } orgLevel { value count } }`;
const SEARCH = `query Search($query: String!, $filter: ResourceFilter, $after: String) {
  search(query: $query, filter: $filter, first: 20, after: $after) {
    totalCount ${FACET_FIELDS}
    pageInfo { hasNextPage endCursor }
    edges { node { ${HIT_FIELDS} } highlights { title body } }
  }
}`;
const BROWSE = `query Browse($filter: ResourceFilter, $after: String) {
  resources(filter: $filter, first: 20, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
    totalCount ${FACET_FIELDS}
    pageInfo { hasNextPage endCursor }
    edges { node { ${HIT_FIELDS} } }
  }
}`;
const DEPARTMENTS = `query Departments { departments { code name { zh en } } }`;

type FacetKey = 'department' | 'kind' | 'category' | 'orgLevel';
const FACET_PARAMS: Record<FacetKey, string> = { department: 'dept', kind: 'kind', category: 'cat', orgLevel: 'level' };

function filterOf(params: URLSearchParams): Filter {
  const filter: Filter = {};
  const departments = params.getAll(FACET_PARAMS.department);
  const kinds = params.getAll(FACET_PARAMS.kind);
  const categories = params.getAll(FACET_PARAMS.category);
  const levels = params.getAll(FACET_PARAMS.orgLevel).map(Number).filter(Number.isInteger);
  if (departments.length) filter.departments = departments;
  if (kinds.length) filter.kinds = kinds;
  if (categories.length) filter.categories = categories;
  if (levels.length) filter.orgLevels = levels;
  return filter;
}

/** Highlights are HTML-escaped by the server with matches wrapped in <em>; nothing else passes. */
function Highlighted({ html }: { html: string }) {
  return <span className="gx-highlight" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** Search with facets; the query and the facet choices live in the URL so a result can be shared. */
export function SearchPage() {
  const { t } = useTranslation('resources');
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const [draft, setDraft] = useState(query);
  const filter = useMemo(() => filterOf(params), [params]);
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => gql<{ departments: { code: string; name: LocalizedName }[] }>(DEPARTMENTS),
    staleTime: 10 * 60_000,
  });
  const results = useInfiniteQuery({
    queryKey: ['search', query, filter],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }): Promise<Page> => {
      if (query.trim()) {
        const data = await gql<{ search: Page }, { query: string; filter: Filter; after: string | null }>(SEARCH, { query, filter, after: pageParam });
        return data.search;
      }
      const data = await gql<{ resources: Page }, { filter: Filter; after: string | null }>(BROWSE, { filter, after: pageParam });
      return data.resources;
    },
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  const first = results.data?.pages[0];
  const edges = results.data?.pages.flatMap((page) => page.edges) ?? [];
  const departmentName = (code: string) => {
    const department = departments.data?.departments.find((d) => d.code === code);
    return department ? localized(department.name) : code;
  };

  const setFacet = (key: FacetKey, values: string[]) => {
    const next = new URLSearchParams(params);
    next.delete(FACET_PARAMS[key]);
    for (const value of values) next.append(FACET_PARAMS[key], value);
    setParams(next);
  };
  const submit = (value: string) => {
    const next = new URLSearchParams(params);
    if (value.trim()) next.set('q', value.trim());
    else next.delete('q');
    setParams(next);
  };
  const facetLabel = (key: FacetKey, value: string) => {
    if (key === 'department') return departmentName(value);
    if (key === 'kind') return t(`kind.${value}`);
    if (key === 'orgLevel') return t(`level.${value}`, { defaultValue: value });
    return value;
  };
  const facetTitles: Record<FacetKey, string> = {
    department: t('facetDepartment'),
    kind: t('facetKind'),
    category: t('facetCategory'),
    orgLevel: t('facetOrgLevel'),
  };
  const hasFilter = Object.keys(filter).length > 0;

  return (
    <PageLayout title={t('title')}>
      <Input.Search
        aria-label={t('searchLabel')}
        placeholder={t('searchPlaceholder')}
        enterButton={t('searchButton')}
        allowClear
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        onSearch={submit}
        style={{ maxWidth: 720 }}
      />
      <Row gutter={16}>
        <Col span={6}>
          <Card
            size="small"
            title={t('facets')}
            extra={
              hasFilter && (
                <Button size="small" type="link" onClick={() => setParams(query ? new URLSearchParams({ q: query }) : new URLSearchParams())}>
                  {t('clearFilters')}
                </Button>
              )
            }
            styles={{ body: { maxHeight: 520, overflowY: 'auto' } }}
          >
            {first &&
              (Object.keys(FACET_PARAMS) as FacetKey[]).map((key) => {
                const selected = params.getAll(FACET_PARAMS[key]);
                const buckets = first.facets[key];
                if (buckets.length === 0 && selected.length === 0) return null;
                return (
                  <fieldset key={key} style={{ border: 0, padding: 0, margin: '0 0 12px' }}>
                    <legend style={{ fontSize: 14, fontWeight: 600, marginBottom: 4 }}>{facetTitles[key]}</legend>
                    <Checkbox.Group
                      value={selected}
                      onChange={(values) => setFacet(key, values.map(String))}
                      style={{ display: 'flex', flexDirection: 'column', gap: 2 }}
                      options={buckets.map((bucket) => ({ value: bucket.value, label: `${facetLabel(key, bucket.value)} (${bucket.count})` }))}
                    />
                  </fieldset>
                );
              })}
          </Card>
        </Col>
        <Col span={18}>
          <PageState loading={results.isLoading} error={results.error} empty={edges.length === 0} emptyText={t('empty')} onRetry={() => void results.refetch()}>
            <Typography.Text type="secondary" role="status">
              {t('total', { count: first?.totalCount ?? 0 })}
            </Typography.Text>
            <List
              aria-label={t('resultsLabel')}
              itemLayout="vertical"
              size="small"
              dataSource={edges}
              renderItem={({ node, highlights }) => (
                <List.Item key={node.id} style={{ padding: '8px 0' }}>
                  <List.Item.Meta
                    style={{ marginBlockEnd: 4 }}
                    title={
                      <Space size="small" wrap>
                        <KindTag kind={node.kind} />
                        <ResourceLink id={node.id} title={node.title}>
                          {highlights ? <Highlighted html={highlights.title} /> : undefined}
                        </ResourceLink>
                        {node.status !== 'PUBLISHED' && <StatusTag status={node.status} />}
                      </Space>
                    }
                    description={
                      <Space size="small" split="·" wrap>
                        <span>{node.department ? localized(node.department.name) : '—'}</span>
                        <span>{node.orgUnits.map((unit) => unit.name).join('、')}</span>
                        <span>{formatDateTime(node.updatedAt)}</span>
                      </Space>
                    }
                  />
                  {highlights?.body ? <Highlighted html={highlights.body} /> : node.summary && <Typography.Paragraph type="secondary" ellipsis={{ rows: 1 }} style={{ margin: 0 }}>{node.summary}</Typography.Paragraph>}
                </List.Item>
              )}
            />
            {results.hasNextPage && (
              <Button onClick={() => void results.fetchNextPage()} loading={results.isFetchingNextPage}>
                {t('loadMore')}
              </Button>
            )}
          </PageState>
        </Col>
      </Row>
    </PageLayout>
  );
}
