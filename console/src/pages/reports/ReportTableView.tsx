import { Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from '../../i18n';
import type { Cell, ReportTable } from './api';
import './messages';

interface Row {
  key: number;
  cells: Cell[];
  gap: boolean;
}

function formatCell(value: Cell, type: ReportTable['columns'][number]['type']): string {
  if (value === null) return '—';
  if (type === 'FLOAT' && typeof value === 'number') return value.toFixed(2);
  return String(value);
}

/** The report's rows with a totals line; coverage gaps are marked. */
export function ReportTableView({ table }: { table: ReportTable }) {
  const { t } = useTranslation('reports');
  const dimensions = table.columns.filter((column) => column.role === 'DIMENSION').length;
  const rows: Row[] = table.rows.map((row, key) => ({ key, cells: row.cells, gap: row.gap }));
  const caption = t('tableCaption', { rows: rows.length });
  const columns: ColumnsType<Row> = table.columns.map((column, index) => ({
    key: column.key,
    title: column.label,
    align: column.role === 'MEASURE' ? 'right' : 'left',
    render: (_value: unknown, row: Row) =>
      index === dimensions - 1 && row.gap ? (
        <>
          {formatCell(row.cells[index] ?? null, column.type)} <Tag color="warning">{t('gap')}</Tag>
        </>
      ) : (
        formatCell(row.cells[index] ?? null, column.type)
      ),
  }));
  return (
    <Table<Row>
      size="small"
      bordered
      dataSource={rows}
      columns={columns}
      aria-label={caption}
      title={() => <Typography.Text type="secondary">{caption}</Typography.Text>}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      rowClassName={(row) => (row.gap ? 'gx-report-gap' : '')}
      scroll={{ x: 'max-content' }}
      summary={() =>
        table.totals.length > 0 && (
          <Table.Summary.Row>
            {table.columns.map((column, index) => (
              <Table.Summary.Cell key={column.key} index={index} align={column.role === 'MEASURE' ? 'right' : 'left'}>
                {index >= dimensions ? <strong>{formatCell(table.totals[index - dimensions] ?? null, column.type)}</strong> : index === 0 ? <strong>{t('totals')}</strong> : null}
              </Table.Summary.Cell>
            ))}
          </Table.Summary.Row>
        )
      }
    />
  );
}
