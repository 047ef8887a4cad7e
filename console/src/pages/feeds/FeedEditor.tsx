import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Radio, Row, Select, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useAuth } from '../../auth';
import { PageState } from '../../components';
import { defaultsOf, missingRequired, SchemaForm, type JsonSchema } from '../../components/schema-form';
import { feedKeys, getFeed, listConnectors, listDepartments, registerFeed, updateFeed, type ConnectorInfo, type Feed, type FeedDraft } from '../../feeds';
import { currentLanguage, useTranslation } from '../../i18n';
import { MappingEditor } from './MappingEditor';

const KINDS = ['SERVICE', 'POLICY', 'EVENT'] as const;
const POLICIES = ['AUTO_PUBLISH', 'REQUIRE_REVIEW'] as const;
const MODES = ['FULL', 'INCREMENTAL'] as const;

/** One of a few fixed values, as a labelled group of radio buttons. */
function ChoiceField<T extends string>({ label, value, choices, labelOf, onChange }: { label: string; value: T; choices: readonly T[]; labelOf: (choice: T) => string; onChange: (choice: T) => void }) {
  return (
    <Form.Item label={label}>
      <Radio.Group aria-label={label} optionType="button" value={value} onChange={(event) => onChange(event.target.value as T)} options={choices.map((choice) => ({ value: choice, label: labelOf(choice) }))} />
    </Form.Item>
  );
}

function draftOf(feed: Feed): FeedDraft {
  return {
    name: feed.name,
    department: feed.department,
    connector: feed.connector,
    config: feed.config,
    mapping: feed.mapping,
    targetKind: feed.targetKind,
    schedule: { cron: feed.schedule.cron, timezone: feed.schedule.timezone },
    syncMode: feed.syncMode,
    orgScope: feed.orgScope,
    reviewPolicy: feed.reviewPolicy,
  };
}

/** Register (/feeds/new) or edit (/feeds/:id/edit) a feed: basics, a connector form generated from its JSON Schema, the mapping with a live dry run. */
export function FeedEditor() {
  const { id } = useParams();
  const connectors = useQuery({ queryKey: ['connectors'], queryFn: listConnectors, staleTime: Infinity });
  const departments = useQuery({ queryKey: ['departments'], queryFn: listDepartments, staleTime: Infinity });
  const feed = useQuery({ queryKey: feedKeys.one(id ?? ''), queryFn: () => getFeed(id!), enabled: Boolean(id) });
  const loading = connectors.isLoading || departments.isLoading || (Boolean(id) && feed.isLoading);
  const error = connectors.error ?? departments.error ?? feed.error;
  return (
    <PageState loading={loading} error={error} onRetry={() => void Promise.all([connectors.refetch(), departments.refetch(), id ? feed.refetch() : null])} empty={Boolean(id) && feed.isSuccess && !feed.data}>
      {connectors.data && departments.data && (!id || feed.data) && (
        <EditorForm key={id ?? 'new'} feed={feed.data ?? null} connectors={connectors.data} departments={departments.data} />
      )}
    </PageState>
  );
}

interface EditorFormProps {
  feed: Feed | null;
  connectors: ConnectorInfo[];
  departments: { code: string; name: { zh: string; en: string } }[];
}

function EditorForm({ feed, connectors, departments }: EditorFormProps) {
  const { t } = useTranslation('feeds');
  const { viewer, hasRole } = useAuth();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const zh = currentLanguage() === 'zh';

  // A department admin registers feeds for their own departments only.
  const ownDepartments = useMemo(() => {
    if (hasRole('PLATFORM_ADMIN') || hasRole('ORG_ADMIN')) return departments;
    const granted = new Set((viewer?.grants ?? []).flatMap((grant) => (grant.role === 'DEPARTMENT_ADMIN' && grant.department ? [grant.department.code] : [])));
    return departments.filter((department) => granted.has(department.code));
  }, [departments, viewer, hasRole]);

  const [draft, setDraft] = useState<FeedDraft>(
    () =>
      (feed && draftOf(feed)) ?? {
        name: '',
        department: ownDepartments[0]?.code ?? '',
        connector: '',
        config: {},
        mapping: null,
        targetKind: 'SERVICE',
        schedule: { cron: null, timezone: 'Asia/Shanghai' },
        syncMode: 'FULL',
        orgScope: [],
        reviewPolicy: 'AUTO_PUBLISH',
      },
  );
  const [secret, setSecret] = useState<string | null>(null);
  const update = (changes: Partial<FeedDraft>) => setDraft((current) => ({ ...current, ...changes }));

  const connector = connectors.find((candidate) => candidate.id === draft.connector);
  const schema = connector?.configSchema as JsonSchema | undefined;
  const mappingSchema = schema?.properties?.mapping;
  const missing = useMemo(() => {
    const mappingMissing = Boolean(schema?.required?.includes('mapping')) && !draft.mapping;
    const basics = [!draft.name.trim() && t('col.name'), !draft.department && t('col.department'), !draft.connector && t('col.connector'), mappingMissing && t('mapping.title')].filter(
      (field): field is string => Boolean(field),
    );
    return [...basics, ...(schema ? missingRequired({ ...schema, properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([name]) => name !== 'mapping')) }, draft.config) : [])];
  }, [draft, schema, t]);

  const save = useMutation({
    mutationFn: async () => {
      if (feed) {
        await updateFeed(feed.id, draft);
        return { id: feed.id, webhookSecret: null };
      }
      const registered = await registerFeed(draft);
      return { id: registered.feed.id, webhookSecret: registered.webhookSecret };
    },
    onSuccess: async ({ id, webhookSecret }) => {
      await queryClient.invalidateQueries({ queryKey: feedKeys.all });
      void message.success(t('form.saved'));
      if (webhookSecret) setSecret(webhookSecret);
      navigate(`/feeds/${id}`);
    },
  });

  const departmentOptions = ownDepartments.map((department) => ({ value: department.code, label: `${zh ? department.name.zh : department.name.en}（${department.code}）` }));

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {feed ? t('editTitle', { name: feed.name }) : t('newTitle')}
      </Typography.Title>
      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('form.basics')}</h3>} size="small">
            <Form layout="vertical" component="div">
              <Form.Item label={t('col.name')} htmlFor="feed-name" required>
                <Input id="feed-name" value={draft.name} maxLength={200} onChange={(event) => update({ name: event.target.value })} />
              </Form.Item>
              <Form.Item label={t('col.department')} htmlFor="feed-department" required>
                <Select id="feed-department" value={draft.department || undefined} options={departmentOptions} onChange={(department: string) => update({ department })} />
              </Form.Item>
              <Form.Item label={t('col.connector')} htmlFor="feed-connector" required>
                <Select
                  id="feed-connector"
                  showSearch
                  optionFilterProp="label"
                  disabled={Boolean(feed)}
                  value={draft.connector || undefined}
                  options={connectors.map((candidate) => ({ value: candidate.id, label: `${zh ? candidate.title.zh : candidate.title.en}（${candidate.id}）` }))}
                  onChange={(id: string) => {
                    const chosen = connectors.find((candidate) => candidate.id === id);
                    const defaults = chosen ? defaultsOf(chosen.configSchema as JsonSchema) : {};
                    const { mapping: _mapping, ...config } = (typeof defaults === 'object' && defaults !== null ? defaults : {}) as Record<string, unknown>;
                    update({ connector: id, config, mapping: null });
                  }}
                />
              </Form.Item>
              <ChoiceField label={t('col.targetKind')} value={draft.targetKind} choices={KINDS} labelOf={(kind) => t(`kind.${kind}`)} onChange={(targetKind) => update({ targetKind })} />
              <ChoiceField label={t('col.reviewPolicy')} value={draft.reviewPolicy} choices={POLICIES} labelOf={(policy) => t(`policy.${policy}`)} onChange={(reviewPolicy) => update({ reviewPolicy })} />
              <ChoiceField label={t('col.syncMode')} value={draft.syncMode} choices={MODES} labelOf={(mode) => t(`mode.${mode}`)} onChange={(syncMode) => update({ syncMode })} />
              <Row gutter={8}>
                <Col span={14}>
                  <Form.Item label={t('form.cron')} htmlFor="feed-cron" extra={t('form.cronHint')}>
                    <Input id="feed-cron" value={draft.schedule.cron ?? ''} onChange={(event) => update({ schedule: { ...draft.schedule, cron: event.target.value.trim() || null } })} />
                  </Form.Item>
                </Col>
                <Col span={10}>
                  <Form.Item label={t('form.timezone')} htmlFor="feed-timezone">
                    <Input id="feed-timezone" value={draft.schedule.timezone} onChange={(event) => update({ schedule: { ...draft.schedule, timezone: event.target.value } })} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item label={t('form.orgScope')} htmlFor="feed-org-scope">
                <Select id="feed-org-scope" mode="tags" open={false} suffixIcon={null} value={draft.orgScope} onChange={(orgScope: string[]) => update({ orgScope })} />
              </Form.Item>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('form.connectorConfig')}</h3>} size="small" extra={<Typography.Text type="secondary">{t('form.connectorHint')}</Typography.Text>}>
            {schema ? (
              <SchemaForm schema={schema} omit={['mapping']} value={draft.config} onChange={(config) => update({ config: (config ?? {}) as Record<string, unknown> })} />
            ) : (
              <Typography.Text type="secondary">{t('form.pickConnector')}</Typography.Text>
            )}
          </Card>
        </Col>
      </Row>
      {schema && <MappingEditor draft={draft} feedId={feed?.id} rootSchema={schema} mappingSchema={mappingSchema} ready={missing.length === 0} onChange={(mapping) => update({ mapping })} />}
      {save.error && <Alert type="error" showIcon role="alert" message={save.error.message} />}
      {missing.length > 0 && <Typography.Text type="secondary">{t('form.missing', { fields: missing.join('、') })}</Typography.Text>}
      <Space>
        <Button type="primary" loading={save.isPending} disabled={missing.length > 0} onClick={() => save.mutate()}>
          {t('form.save')}
        </Button>
        <Button onClick={() => navigate(feed ? `/feeds/${feed.id}` : '/feeds')}>{t('form.cancel')}</Button>
      </Space>
      <Modal open={secret !== null} onOk={() => setSecret(null)} onCancel={() => setSecret(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Typography.Paragraph copyable={{ text: secret ?? '' }}>{t('form.webhookSecret', { secret })}</Typography.Paragraph>
      </Modal>
    </Space>
  );
}
