import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Input, Row, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useEffect, useId, useState } from 'react';
import { PageState } from '../../components';
import { SchemaForm, type JsonSchema } from '../../components/schema-form';
import { previewFeed, type FeedDraft, type PreviewItem } from '../../feeds';
import { useTranslation } from '../../i18n';

interface MappingEditorProps {
  draft: FeedDraft;
  /** A registered feed whose stored credentials a preview must use (drafts carry ••••••). */
  feedId?: string;
  rootSchema: JsonSchema;
  /** The connector's `mapping` property; undefined when the connector maps records itself. */
  mappingSchema: JsonSchema | undefined;
  /** Whether the draft has what a preview needs. */
  ready: boolean;
  onChange: (mapping: Record<string, unknown> | null) => void;
}

const LIVE_DELAY_MS = 800;
const MASK = '••••••';

/** The feed's mapping (as a generated form or as JSON) beside a live `previewFeed` dry run. */
export function MappingEditor({ draft, feedId, rootSchema, mappingSchema, ready, onChange }: MappingEditorProps) {
  const { t } = useTranslation('feeds');
  const jsonId = useId();
  const [tab, setTab] = useState('form');
  const [jsonText, setJsonText] = useState(() => JSON.stringify(draft.mapping ?? {}, null, 2));
  const [jsonInvalid, setJsonInvalid] = useState(false);
  const [live, setLive] = useState(true);
  const [requested, setRequested] = useState<FeedDraft | null>(null);

  // Live preview: the draft as it stands once typing pauses.
  useEffect(() => {
    if (!live || !ready || jsonInvalid) return;
    const timer = setTimeout(() => setRequested(draft), LIVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, live, ready, jsonInvalid]);

  const usesStoredCredentials = Boolean(feedId) && JSON.stringify(requested?.config ?? {}).includes(MASK);
  const preview = useQuery({
    queryKey: ['previewFeed', feedId ?? null, requested],
    queryFn: () => previewFeed(usesStoredCredentials ? { feedId } : { draft: { ...requested!, name: requested!.name.trim() || 'preview' } }),
    enabled: requested !== null,
    retry: false,
    staleTime: 0,
  });

  const items = preview.data?.items ?? [];
  const mapped = items.filter((item) => item.ok);
  const rejected = items.filter((item) => !item.ok);
  const mappingForm = mappingSchema ? { ...mappingSchema, $defs: rootSchema.$defs } : undefined;

  return (
    <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('mapping.title')}</h3>} size="small">
      {mappingForm ? (
        <Tabs
          activeKey={tab}
          onChange={(key) => {
            if (key === 'json') setJsonText(JSON.stringify(draft.mapping ?? {}, null, 2));
            setTab(key);
          }}
          items={[
            {
              key: 'form',
              label: t('mapping.structured'),
              children: <SchemaForm schema={mappingForm} value={draft.mapping ?? {}} onChange={(mapping) => onChange((mapping ?? null) as Record<string, unknown> | null)} />,
            },
            {
              key: 'json',
              label: t('mapping.json'),
              children: (
                <>
                  <label htmlFor={jsonId}>{t('mapping.jsonLabel')}</label>
                  <Input.TextArea
                    id={jsonId}
                    data-testid="mapping-json"
                    status={jsonInvalid ? 'error' : undefined}
                    autoSize={{ minRows: 6, maxRows: 18 }}
                    style={{ fontFamily: 'monospace', marginTop: 4 }}
                    value={jsonText}
                    onChange={(event) => {
                      setJsonText(event.target.value);
                      try {
                        const parsed: unknown = event.target.value.trim() ? JSON.parse(event.target.value) : null;
                        setJsonInvalid(false);
                        onChange(parsed as Record<string, unknown> | null);
                      } catch {
                        setJsonInvalid(true);
                      }
                    }}
                  />
                  {jsonInvalid && <Typography.Text type="danger">{t('mapping.invalidJson')}</Typography.Text>}
                </>
              ),
            },
          ]}
        />
      ) : (
        <Typography.Paragraph type="secondary">{t('mapping.none')}</Typography.Paragraph>
      )}
      <Space style={{ margin: '12px 0' }} wrap>
        <Button onClick={() => (requested === draft ? void preview.refetch() : setRequested(draft))} disabled={!ready || jsonInvalid} loading={preview.isFetching}>
          {t('mapping.preview')}
        </Button>
        <Switch checked={live} onChange={setLive} aria-label={t('mapping.live')} /> <span aria-hidden>{t('mapping.live')}</span>
        <Typography.Text type="secondary">{ready ? t('mapping.previewHint') : t('mapping.notReady')}</Typography.Text>
      </Space>
      {requested && (
        <PageState loading={preview.isLoading} error={preview.error}>
          {preview.data && (
            <div aria-live="polite">
              <Alert
                type={rejected.length ? 'warning' : 'success'}
                showIcon
                data-testid="preview-summary"
                message={t('mapping.fetched', { fetched: preview.data.fetched, ok: mapped.length, rejected: rejected.length })}
                style={{ marginBottom: 12 }}
              />
              <Row gutter={16}>
                <Col xs={24} lg={12}>
                  <PreviewTable title={t('mapping.mapped')} items={mapped} emptyText={t('mapping.noMapped')} testId="preview-mapped" rejected={false} />
                </Col>
                <Col xs={24} lg={12}>
                  <PreviewTable title={t('mapping.rejected')} items={rejected} emptyText={t('mapping.noRejected')} testId="preview-rejected" rejected />
                </Col>
              </Row>
            </div>
          )}
        </PageState>
      )}
    </Card>
  );
}

function PreviewTable({ title, items, emptyText, testId, rejected }: { title: string; items: PreviewItem[]; emptyText: string; testId: string; rejected: boolean }) {
  const { t } = useTranslation('feeds');
  return (
    <section aria-label={title} data-testid={testId}>
      <h4 style={{ marginTop: 0 }}>
        {title}（{items.length}）
      </h4>
      <Table<PreviewItem>
        size="small"
        rowKey={(item) => item.sourceId}
        dataSource={items}
        pagination={{ pageSize: 8, hideOnSinglePage: true }}
        locale={{ emptyText }}
        expandable={rejected ? undefined : { expandedRowRender: (item) => <pre className="gx-pre">{JSON.stringify(item.record, null, 2)}</pre> }}
        columns={[
          { title: t('mapping.sourceId'), dataIndex: 'sourceId', width: 120, ellipsis: true },
          rejected
            ? {
                title: t('mapping.reasons'),
                key: 'reasons',
                render: (_, item) => (
                  <>
                    {item.code && <Tag color="orange">{t(`quarantine.codes.${item.code}`, { defaultValue: item.code })}</Tag>}
                    {item.reasons.join('；')}
                  </>
                ),
              }
            : { title: t('mapping.recordTitle'), key: 'title', ellipsis: true, render: (_, item) => String(item.record?.title ?? '—') },
        ]}
      />
    </section>
  );
}
