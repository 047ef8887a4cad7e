import { useState } from 'react';
import { Button, Card, Col, Empty, Form, Input, List, Modal, Row, Segmented, Select, Space, Typography, message } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { gql } from '../../api/client';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { localized, type LocalizedName, PageLayout } from '../resources/common';
import {
  BUILT_INS,
  DIMENSION_SOURCES,
  listSavedReports,
  MEASURE_SOURCES,
  saveReport,
  SOURCES,
  TIME_FIELDS,
  TIME_UNITS,
  type BuiltIn,
  type DimensionInput,
  type DimensionKind,
  type Measure,
  type ReportInput,
} from './api';
import { ReportResult } from './ReportResult';
import './messages';

interface BuilderValues {
  mode: 'custom' | 'builtIn';
  builtIn: BuiltIn;
  level: number;
  measures: Measure[];
  dimensions: DimensionInput[];
  departments: string[];
  kinds: string[];
}

const DEFAULTS: BuilderValues = {
  mode: 'custom',
  builtIn: 'COVERAGE_MATRIX',
  level: 3,
  measures: ['RESOURCE_COUNT'],
  dimensions: [{ by: 'DEPARTMENT' }],
  departments: [],
  kinds: [],
};
const LEVELS = [1, 2, 3, 4];
const LEVELLED_BUILT_INS: BuiltIn[] = ['COVERAGE_MATRIX', 'REVIEW_BACKLOG'];
const MAX_DIMENSIONS = 4;

/** The API input for the form: built-in with its level, or measures × dimensions × filter. */
function inputOf(values: BuilderValues): ReportInput {
  if (values.mode === 'builtIn') return { builtIn: values.builtIn, ...(LEVELLED_BUILT_INS.includes(values.builtIn) ? { level: values.level } : {}) };
  const filter = {
    ...(values.departments.length ? { departments: values.departments } : {}),
    ...(values.kinds.length ? { kinds: values.kinds } : {}),
  };
  return {
    measures: values.measures,
    dimensions: values.dimensions.map((dimension) => ({
      by: dimension.by,
      ...(dimension.by === 'ORG_UNIT' ? { level: dimension.level ?? 2 } : {}),
      ...(dimension.by === 'TIME' ? { unit: dimension.unit ?? 'MONTH', field: dimension.field ?? 'CREATED_AT' } : {}),
    })),
    ...(Object.keys(filter).length ? { filter } : {}),
  };
}

function SaveDialog({ input, open, onClose }: { input: ReportInput; open: boolean; onClose: () => void }) {
  const { t } = useTranslation('reports');
  const navigate = useNavigate();
  const client = useQueryClient();
  const [form] = Form.useForm<{ name: string; schedule?: string }>();
  const save = useMutation({
    mutationFn: (values: { name: string; schedule?: string }) => saveReport(values.name.trim(), input, values.schedule?.trim() || null),
    onSuccess: (saved) => {
      message.success(t('saved'));
      void client.invalidateQueries({ queryKey: ['savedReports'] });
      onClose();
      navigate(`/reports/${encodeURIComponent(saved.id)}`);
    },
    onError: (error: Error) => message.error(error.message),
  });
  return (
    <Modal title={t('saveTitle')} open={open} onCancel={onClose} onOk={() => form.submit()} confirmLoading={save.isPending} okText={t('save')} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}>
          <Input maxLength={200} autoFocus />
        </Form.Item>
        <Form.Item name="schedule" label={t('schedule')} extra={t('scheduleHelp')}>
          <Input placeholder="0 8 * * 1" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SavedReportsList() {
  const { t } = useTranslation('reports');
  const saved = useQuery({ queryKey: ['savedReports'], queryFn: listSavedReports });
  const list = saved.data ?? [];
  return (
    <Card size="small" title={t('savedReports')}>
      <PageState loading={saved.isLoading} error={saved.error} empty={list.length === 0} emptyText={t('noSavedReports')} onRetry={() => void saved.refetch()}>
        <List
          size="small"
          aria-label={t('savedReports')}
          dataSource={list}
          renderItem={(report) => (
            <List.Item>
              <List.Item.Meta title={<Link to={`/reports/${encodeURIComponent(report.id)}`}>{report.name}</Link>} description={`${report.owner} · ${formatDateTime(report.createdAt)}`} />
            </List.Item>
          )}
        />
      </PageState>
    </Card>
  );
}

/** Measures, dimensions and filters in; a chart and a table out; save to export and snapshot. */
export function BuilderPage() {
  const { t } = useTranslation('reports');
  const [form] = Form.useForm<BuilderValues>();
  const [submitted, setSubmitted] = useState<ReportInput | null>(null);
  const [saving, setSaving] = useState(false);
  const mode = Form.useWatch('mode', form) ?? DEFAULTS.mode;
  const builtIn = Form.useWatch('builtIn', form) ?? DEFAULTS.builtIn;
  const measures = Form.useWatch('measures', form) ?? DEFAULTS.measures;
  const dimensions = Form.useWatch('dimensions', form) ?? DEFAULTS.dimensions;
  const source = measures[0] ? MEASURE_SOURCES[measures[0]] : null;
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => gql<{ departments: { code: string; name: LocalizedName }[] }>('query Departments { departments { code name { zh en } } }'),
    staleTime: 10 * 60_000,
  });

  const measureOptions = SOURCES.map((group) => ({
    label: t(`measureGroups.${group}`),
    options: (Object.keys(MEASURE_SOURCES) as Measure[])
      .filter((measure) => MEASURE_SOURCES[measure] === group)
      .map((measure) => ({ value: measure, label: t(`measure.${measure}`), disabled: source !== null && source !== group })),
  }));
  const dimensionOptions = (Object.keys(DIMENSION_SOURCES) as DimensionKind[]).map((kind) => ({
    value: kind,
    label: t(`dimension.${kind}`),
    disabled: source !== null && !(DIMENSION_SOURCES[kind] as readonly string[]).includes(source),
  }));
  const levelOptions = LEVELS.map((level) => ({ value: level, label: t(`levels.${level}`) }));

  return (
    <PageLayout title={t('title')}>
      <Row gutter={16}>
        <Col span={7}>
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Card size="small" title={t('builder')}>
              <Form<BuilderValues> form={form} layout="vertical" initialValues={DEFAULTS} onFinish={(values) => setSubmitted(inputOf({ ...DEFAULTS, ...values }))} requiredMark={false}>
                <Form.Item name="mode" label={t('mode')}>
                  <Segmented block options={[{ value: 'custom', label: t('modes.custom') }, { value: 'builtIn', label: t('modes.builtIn') }]} />
                </Form.Item>
                {mode === 'builtIn' ? (
                  <>
                    <Form.Item name="builtIn" label={t('builtInLabel')}>
                      <Select options={BUILT_INS.map((name) => ({ value: name, label: t(`builtIns.${name}`) }))} />
                    </Form.Item>
                    {LEVELLED_BUILT_INS.includes(builtIn) && (
                      <Form.Item name="level" label={t('level')}>
                        <Select options={levelOptions} />
                      </Form.Item>
                    )}
                  </>
                ) : (
                  <>
                    <Form.Item name="measures" label={t('measures')} rules={[{ required: true, type: 'array', min: 1, message: t('needMeasure') }]}>
                      <Select mode="multiple" placeholder={t('measuresPlaceholder')} options={measureOptions} optionFilterProp="label" />
                    </Form.Item>
                    <Form.List name="dimensions">
                      {(fields, { add, remove }) => (
                        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
                          <legend style={{ fontSize: 14, marginBottom: 8 }}>{t('dimensions')}</legend>
                          {fields.map((field, index) => {
                            const by = dimensions[field.name]?.by;
                            return (
                              <Space key={field.key} align="end" wrap style={{ marginBottom: 4 }}>
                                <Form.Item name={[field.name, 'by']} label={t('dimensionN', { n: index + 1 })} style={{ marginBottom: 8 }}>
                                  <Select options={dimensionOptions} style={{ width: 112 }} popupMatchSelectWidth={false} />
                                </Form.Item>
                                {by === 'ORG_UNIT' && (
                                  <Form.Item name={[field.name, 'level']} label={t('level')} initialValue={2} style={{ marginBottom: 8 }}>
                                    <Select options={levelOptions} style={{ width: 112 }} popupMatchSelectWidth={false} />
                                  </Form.Item>
                                )}
                                {by === 'TIME' && (
                                  <>
                                    <Form.Item name={[field.name, 'unit']} label={t('timeUnit')} initialValue="MONTH" style={{ marginBottom: 8 }}>
                                      <Select options={TIME_UNITS.map((unit) => ({ value: unit, label: t(`timeUnits.${unit}`) }))} style={{ width: 80 }} />
                                    </Form.Item>
                                    <Form.Item name={[field.name, 'field']} label={t('timeField')} initialValue="CREATED_AT" style={{ marginBottom: 8 }}>
                                      <Select options={TIME_FIELDS.map((name) => ({ value: name, label: t(`timeFields.${name}`) }))} style={{ width: 120 }} />
                                    </Form.Item>
                                  </>
                                )}
                                <Button icon={<DeleteOutlined />} aria-label={t('removeDimension', { n: index + 1 })} title={t('removeDimension', { n: index + 1 })} onClick={() => remove(field.name)} style={{ marginBottom: 8 }} />
                              </Space>
                            );
                          })}
                          {fields.length < MAX_DIMENSIONS && (
                            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ by: 'ORG_UNIT', level: 2 })} block style={{ marginBottom: 16 }}>
                              {t('addDimension')}
                            </Button>
                          )}
                        </fieldset>
                      )}
                    </Form.List>
                    <Form.Item name="departments" label={t('filterDepartments')}>
                      <Select
                        mode="multiple"
                        allowClear
                        placeholder={t('anyValue')}
                        loading={departments.isLoading}
                        options={(departments.data?.departments ?? []).map((department) => ({ value: department.code, label: localized(department.name) }))}
                        optionFilterProp="label"
                      />
                    </Form.Item>
                    {source === 'RESOURCES' && (
                      <Form.Item name="kinds" label={t('filterKinds')}>
                        <Select mode="multiple" allowClear placeholder={t('anyValue')} options={['SERVICE', 'POLICY', 'EVENT'].map((kind) => ({ value: kind, label: t(`kinds.${kind}`) }))} />
                      </Form.Item>
                    )}
                  </>
                )}
                <Space>
                  <Button type="primary" htmlType="submit">
                    {t('run')}
                  </Button>
                  <Button onClick={() => setSaving(true)} disabled={!submitted}>
                    {t('save')}
                  </Button>
                </Space>
              </Form>
            </Card>
            <SavedReportsList />
          </Space>
        </Col>
        <Col span={17}>
          {submitted ? (
            <ReportResult input={submitted} title={t('title')} />
          ) : (
            <Card>
              <Empty description={t('pickAndRun')} />
            </Card>
          )}
        </Col>
      </Row>
      {submitted && <SaveDialog input={submitted} open={saving} onClose={() => setSaving(false)} />}
    </PageLayout>
  );
}
