import ReactEChartsCore from 'echarts-for-react/lib/core';
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';
import { useTranslation } from '../../i18n';
import type { ReportTable } from './api';
import './messages';

// Only what the reports draw, so the bundle carries three chart types rather than all of ECharts.
echarts.use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, DataZoomComponent, SVGRenderer]);

export type ChartKind = 'bar' | 'line' | 'heatmap';

interface Series {
  name: string;
  data: (number | null)[];
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

function numeric(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

/** Categories along x and one series per measure, or per value of the second dimension (first measure). */
function seriesOf(table: ReportTable): { categories: string[]; series: Series[] } {
  const dimensions = table.columns.filter((column) => column.role === 'DIMENSION').length;
  const measures = table.columns.slice(dimensions);
  const rows = table.rows.filter((row) => !row.gap);
  if (dimensions === 0) {
    return { categories: measures.map((column) => column.label), series: [{ name: '', data: table.totals.map(numeric) }] };
  }
  const categories = distinct(rows.map((row) => String(row.cells[0])));
  if (dimensions === 1) {
    return {
      categories,
      series: measures.map((column, index) => ({ name: column.label, data: categories.map((category) => numeric(rows.find((row) => String(row.cells[0]) === category)?.cells[dimensions + index])) })),
    };
  }
  const groups = distinct(rows.map((row) => String(row.cells[1])));
  return {
    categories,
    series: groups.map((group) => ({
      name: group,
      data: categories.map((category) => {
        const matching = rows.filter((row) => String(row.cells[0]) === category && String(row.cells[1]) === group);
        return matching.length === 0 ? null : matching.reduce((sum, row) => sum + (numeric(row.cells[dimensions]) ?? 0), 0);
      }),
    })),
  };
}

/** Coverage matrix: rows' first dimension down, second across, the first measure as heat; gaps count 0. */
function heatmapOption(table: ReportTable): EChartsCoreOption {
  const ys = distinct(table.rows.map((row) => String(row.cells[0])));
  const xs = distinct(table.rows.map((row) => String(row.cells[1])));
  const data = table.rows.map((row) => [xs.indexOf(String(row.cells[1])), ys.indexOf(String(row.cells[0])), numeric(row.cells[2]) ?? 0]);
  const max = Math.max(1, ...data.map((cell) => cell[2]!));
  return {
    tooltip: { position: 'top' },
    grid: { left: 140, right: 24, top: 16, bottom: 110 },
    xAxis: { type: 'category', data: xs, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: 'category', data: ys, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#fff7e6', '#ffc069', '#d4380d'] } },
    series: [{ type: 'heatmap', name: table.columns[2]?.label ?? '', data, label: { show: true }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
  };
}

function cartesianOption(table: ReportTable, kind: 'bar' | 'line'): EChartsCoreOption {
  const { categories, series } = seriesOf(table);
  return {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 0 },
    grid: { left: 48, right: 24, top: 40, bottom: categories.length > 8 ? 90 : 40, containLabel: true },
    xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value' },
    dataZoom: categories.length > 24 ? [{ type: 'slider', bottom: 0 }] : [],
    series: series.map((item) => ({ type: kind, name: item.name, data: item.data, connectNulls: kind === 'line', smooth: false })),
  };
}

export function chartOption(table: ReportTable, kind: ChartKind): EChartsCoreOption {
  return kind === 'heatmap' ? heatmapOption(table) : cartesianOption(table, kind);
}

/** The report drawn with ECharts (SVG, so it stays crisp and readable by tests); the table beside it carries the numbers for screen readers. */
export function ReportChart({ table, kind, title }: { table: ReportTable; kind: ChartKind; title: string }) {
  const { t } = useTranslation('reports');
  const option = chartOption(table, kind);
  const seriesCount = Array.isArray(option.series) ? option.series.length : 0;
  return (
    <figure role="img" aria-label={t('chartLabel', { title, kind: t(`chartKinds.${kind}`) })} data-chart-kind={kind} data-series-count={seriesCount} style={{ margin: 0 }}>
      <ReactEChartsCore echarts={echarts} option={option} notMerge opts={{ renderer: 'svg' }} style={{ height: kind === 'heatmap' ? 420 : 320, width: '100%' }} />
    </figure>
  );
}
