import { Alert, Descriptions, Space, Spin, Timeline, Typography } from 'antd';
import { formatDateTime, formatDuration } from '../components';
import { useTranslation } from '../i18n';
import type { SyncRun, SyncStats } from './api';
import { RunStatusBadge, runStatusOf } from './badges';
import './messages';

const STAT_KEYS: (keyof SyncStats)[] = ['fetched', 'created', 'updated', 'unchanged', 'withdrawn', 'quarantined'];
const COLORS = { success: 'green', processing: 'blue', warning: 'orange', error: 'red', default: 'gray' } as const;

/** Runs newest first: status, trigger, counts, error class and message; a running one shows progress. */
export function RunTimeline({ runs }: { runs: SyncRun[] }) {
  const { t } = useTranslation('feeds');
  return (
    <Timeline
      style={{ paddingTop: 12 }}
      items={runs.map((run) => ({
        key: run.id,
        color: COLORS[runStatusOf(run.status)],
        children: (
          <section aria-label={`${formatDateTime(run.startedAt)} ${t(`runStatus.${run.status}`)}`} data-testid="sync-run" data-status={run.status}>
            <Space wrap size="small">
              <RunStatusBadge status={run.status} />
              <Typography.Text strong>{formatDateTime(run.startedAt)}</Typography.Text>
              <Typography.Text type="secondary">
                {t(`runs.trigger.${run.trigger}`)}
                {run.attempt > 1 ? ` · ${t('runs.attempt', { attempt: run.attempt })}` : ''}
                {run.durationMs !== null ? ` · ${t('runs.duration')} ${formatDuration(run.durationMs / 1000)}` : ''}
              </Typography.Text>
            </Space>
            {run.status === 'RUNNING' && (
              <div role="status" aria-live="polite" style={{ marginTop: 4 }}>
                <Spin size="small" /> <Typography.Text type="secondary">{t('runs.progress')}</Typography.Text>
              </div>
            )}
            <Descriptions size="small" column={6} style={{ marginTop: 4, maxWidth: 720 }} colon={false} layout="vertical">
              {STAT_KEYS.map((key) => (
                <Descriptions.Item key={key} label={t(`runs.stats.${key}`)}>
                  <span data-testid={`run-${key}`}>{run.stats[key]}</span>
                </Descriptions.Item>
              ))}
            </Descriptions>
            {run.error && (
              <Alert
                type="error"
                showIcon
                style={{ marginTop: 4, maxWidth: 720 }}
                message={`${t(`runs.errorClass.${run.error.class}`)}（${run.error.class}）`}
                description={run.error.message}
              />
            )}
            {run.held && !run.held.confirmedAt && <Alert type="warning" showIcon style={{ marginTop: 4, maxWidth: 720 }} message={t('runs.held', run.held)} />}
            {!run.complete && run.status !== 'RUNNING' && !run.error && (
              <Typography.Text type="warning">{t('runs.incomplete')}</Typography.Text>
            )}
          </section>
        ),
      }))}
    />
  );
}
