import { Card, Space } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { runReport, type ReportInput } from './api';
import { ReportChart, type ChartKind } from './ReportChart';
import { ReportTableView } from './ReportTableView';
import './messages';

/** Heat map for the coverage matrix, a line over time, bars for everything else. */
export function chartKindOf(input: ReportInput): ChartKind {
  if (input.builtIn === 'COVERAGE_MATRIX') return 'heatmap';
  return input.dimensions?.[0]?.by === 'TIME' ? 'line' : 'bar';
}

/** Runs a report input and shows its chart above its table. */
export function ReportResult({ input, title }: { input: ReportInput; title: string }) {
  const { t } = useTranslation('reports');
  const report = useQuery({ queryKey: ['report', input], queryFn: () => runReport(input) });
  const table = report.data;
  return (
    <PageState loading={report.isLoading} error={report.error} empty={!table || table.rows.length === 0} emptyText={t('noData')} onRetry={() => void report.refetch()}>
      {table && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small" title={t('chart')}>
            <ReportChart table={table} kind={chartKindOf(input)} title={title} />
          </Card>
          <Card size="small" title={t('table')}>
            <ReportTableView table={table} />
          </Card>
        </Space>
      )}
    </PageState>
  );
}
