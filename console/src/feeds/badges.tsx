import { StatusBadge, type Status } from '../components';
import { useTranslation } from '../i18n';
import type { FeedSummary, SyncRunStatus } from './api';
import './messages';

export function runStatusOf(status: SyncRunStatus): Status {
  switch (status) {
    case 'SUCCEEDED':
      return 'success';
    case 'RUNNING':
      return 'processing';
    case 'PARTIAL':
    case 'HELD':
      return 'warning';
    case 'FAILED':
      return 'error';
  }
}

export function RunStatusBadge({ status }: { status: SyncRunStatus }) {
  const { t } = useTranslation('feeds');
  return <StatusBadge status={runStatusOf(status)} label={t(`runStatus.${status}`)} />;
}

/** Paused, unhealthy (failing or never synced) or active. */
export function FeedStatusBadge({ feed }: { feed: Pick<FeedSummary, 'status' | 'health'> }) {
  const { t } = useTranslation('feeds');
  if (feed.status !== 'ACTIVE') return <StatusBadge status="default" label={t(`status.${feed.status}`)} />;
  if (!feed.health.lastRunStatus) return <StatusBadge status="default" label={t('status.NEVER')} />;
  if (!feed.health.healthy) return <StatusBadge status="error" label={t('status.UNHEALTHY')} />;
  return <StatusBadge status="success" label={t('status.ACTIVE')} />;
}
