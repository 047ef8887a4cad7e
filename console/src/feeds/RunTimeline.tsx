import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Space, Spin, Timeline, Typography } from 'antd';
import { formatDateTime, formatDuration, PageState } from '../components';
import { useTranslation } from '../i18n';
import { feedKeys, feedRuns, type SyncRun, type SyncStats } from './api';
import { RunStatusBadge, runStatusOf } from './badges';
import './messages';

const STAT_KEYS: (keyof SyncStats)[] = ['fetched', 'created', 'updated', 'unchanged', 'withdrawn', 'quarantined'];
const COLORS = { success: 'green', processing: 'blue', warning: 'orange', error: 'red', default: 'gray' } as const;

/** How often a feed's runs are fetched again while one of them is running. */
const RUNNING_REFRESH_MS = 2_000;

/**
 * A feed's latest `first` runs as a timeline, fetched again every 2 s while one is running and
 * every `idleRefreshMs` otherwise (never, by default).
 */
export function FeedRuns({ feedId, first, idleRefreshMs = false }: { feedId: string; first: number; idleRefreshMs?: number | false }) {
  const { t } = useTranslation('feeds');
  const runs = useQuery({
    // `first` is part of the key: a page showing 5 runs and one showing 30 do not share a cache entry.
    queryKey: [...feedKeys.runs(feedId), first],
    queryFn: () => feedRuns(feedId, first),
    refetchInterval: (query) => (query.state.data?.runs.some((run) => run.status === 'RUNNING') ? RUNNING_REFRESH_MS : idleRefreshMs),
  });
  return (
    <PageState loading={runs.isLoading} error={runs.error} onRetry={() => void runs.refetch()} empty={runs.data?.runs.length === 0} emptyText={t('runs.empty')}>
      <RunTimeline runs={runs.data?.runs ?? []} />
    </PageState>
  );
}

/** Runs newest first: status, trigger, counts, error class and message; a running one shows progress. */
function RunTimeline({ runs }: { runs: SyncRun[] }) {
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
