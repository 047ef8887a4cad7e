import { Button, Card, Popconfirm, Space, Table, Typography, message } from 'antd';
import { ArrowLeftOutlined, CameraOutlined, DeleteOutlined, DownloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import { deleteReport, downloadExport, listSavedReports, listSnapshots, savedInput, snapshotReport, type SavedReport, type Snapshot } from './api';
import { ReportChart } from './ReportChart';
import { ReportResult } from './ReportResult';
import './messages';

/** Snapshots as a table of their totals over time, drawn as a line (one series per measure). */
function snapshotTrend(snapshots: Snapshot[]) {
  const ordered = [...snapshots].sort((a, b) => a.takenAt.localeCompare(b.takenAt));
  const measures = ordered[0]?.table.columns.filter((column) => column.role === 'MEASURE') ?? [];
  return {
    columns: [{ key: 'takenAt', label: '', type: 'STRING' as const, role: 'DIMENSION' as const }, ...measures],
    rows: ordered.map((snapshot) => ({ keys: [snapshot.takenAt], cells: [formatDateTime(snapshot.takenAt), ...snapshot.table.totals], gap: false })),
    totals: [],
  };
}

function Snapshots({ report }: { report: SavedReport }) {
  const { t } = useTranslation('reports');
  const client = useQueryClient();
  const snapshots = useQuery({ queryKey: ['reportSnapshots', report.id], queryFn: () => listSnapshots(report.id) });
  const take = useMutation({
    mutationFn: () => snapshotReport(report.id),
    onSuccess: () => {
      message.success(t('snapshotTaken'));
      void client.invalidateQueries({ queryKey: ['reportSnapshots', report.id] });
    },
    onError: (error: Error) => message.error(error.message),
  });
  const list = snapshots.data ?? [];
  const trend = snapshotTrend(list);
  return (
    <Card
      size="small"
      title={t('snapshots')}
      extra={
        <Space>
          <Typography.Text type="secondary">{report.schedule ? t('scheduleShown', { schedule: report.schedule }) : t('noSchedule')}</Typography.Text>
          <Button size="small" icon={<CameraOutlined />} onClick={() => take.mutate()} loading={take.isPending}>
            {t('snapshotNow')}
          </Button>
        </Space>
      }
    >
      <PageState loading={snapshots.isLoading} error={snapshots.error} empty={list.length === 0} emptyText={t('noSnapshots')} onRetry={() => void snapshots.refetch()}>
        <ReportChart table={trend} kind="line" title={t('snapshots')} />
        <Table
          size="small"
          rowKey="id"
          dataSource={[...list].reverse()}
          pagination={{ pageSize: 5, hideOnSinglePage: true }}
          aria-label={t('snapshotsLabel')}
          columns={[
            { title: t('takenAt'), dataIndex: 'takenAt', render: (value: string) => formatDateTime(value) },
            ...trend.columns.slice(1).map((column, index) => ({
              key: column.key,
              title: column.label,
              align: 'right' as const,
              render: (_value: unknown, snapshot: Snapshot) => String(snapshot.table.totals[index] ?? '—'),
            })),
          ]}
        />
      </PageState>
    </Card>
  );
}

/** A saved report: run as the viewer, exported as CSV or XLSX, with its snapshots as a trend. */
export function SavedReportPage() {
  const { t } = useTranslation('reports');
  const id = useParams().id ?? '';
  const navigate = useNavigate();
  const client = useQueryClient();
  const saved = useQuery({ queryKey: ['savedReports'], queryFn: listSavedReports });
  const report = saved.data?.find((item) => item.id === id);
  const exportAs = useMutation({
    mutationFn: (format: 'csv' | 'xlsx') => downloadExport(report!, format),
    onError: (error: Error) => message.error(t('exportFailed', { message: error.message })),
  });
  const remove = useMutation({
    mutationFn: () => deleteReport(id),
    onSuccess: () => {
      message.success(t('deleted'));
      void client.invalidateQueries({ queryKey: ['savedReports'] });
      navigate('/reports');
    },
    onError: (error: Error) => message.error(error.message),
  });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/reports">
        <ArrowLeftOutlined aria-hidden /> {t('back')}
      </Link>
      <PageState loading={saved.isLoading} error={saved.error} empty={!report} emptyText={t('notFound')} onRetry={() => void saved.refetch()}>
        {report && (
          <>
            <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
              <Typography.Title level={3} style={{ margin: 0 }}>
                {report.name}
              </Typography.Title>
              <Space wrap>
                <Button icon={<DownloadOutlined />} onClick={() => exportAs.mutate('csv')} loading={exportAs.isPending && exportAs.variables === 'csv'}>
                  {t('exportCsv')}
                </Button>
                <Button icon={<DownloadOutlined />} onClick={() => exportAs.mutate('xlsx')} loading={exportAs.isPending && exportAs.variables === 'xlsx'}>
                  {t('exportXlsx')}
                </Button>
                <Popconfirm title={t('deleteConfirm')} onConfirm={() => remove.mutate()}>
                  <Button danger icon={<DeleteOutlined />} loading={remove.isPending}>
                    {t('delete')}
                  </Button>
                </Popconfirm>
              </Space>
            </Space>
            <ReportResult input={savedInput(report.input)} title={report.name} />
            <Snapshots report={report} />
          </>
        )}
      </PageState>
    </Space>
  );
}
