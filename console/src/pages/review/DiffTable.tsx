import { Table, Typography } from 'antd';
import { useTranslation } from '../../i18n';
import './messages';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const MAX_TEXT = 400;

function plainText(value: string): string {
  // Bodies are sanitized HTML; a diff compares their words, not their markup.
  const text = value.includes('<') ? value.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() : value;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** A stored JSON value as readable text: lists joined, objects as compact JSON. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return plainText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('、');
  return plainText(JSON.stringify(value));
}

/** Field-by-field changes, before beside after, for a review case or two versions. */
export function DiffTable({ changes, caption }: { changes: FieldChange[]; caption: string }) {
  const { t } = useTranslation('review');
  return (
    <Table<FieldChange>
      size="small"
      rowKey="field"
      pagination={false}
      dataSource={changes}
      aria-label={caption}
      title={() => <Typography.Text type="secondary">{caption}</Typography.Text>}
      locale={{ emptyText: t('noChanges') }}
      scroll={{ y: 320 }}
      columns={[
        { title: t('field'), dataIndex: 'field', width: 120, render: (field: string) => t(`fields.${field}`, { defaultValue: field }) },
        {
          title: t('before'),
          dataIndex: 'before',
          render: (value: unknown) => <del className="gx-diff-before" style={{ background: '#fff1f0', textDecoration: 'none' }}>{displayValue(value)}</del>,
        },
        {
          title: t('after'),
          dataIndex: 'after',
          render: (value: unknown) => <ins className="gx-diff-after" style={{ background: '#f6ffed', textDecoration: 'none' }}>{displayValue(value)}</ins>,
        },
      ]}
    />
  );
}
