import { CaretRightOutlined, PauseOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Space } from 'antd';
import { feedKeys, runFeedNow, setFeedPaused, type FeedSummary } from '../../feeds';
import { useTranslation } from '../../i18n';

/** Run now and pause/resume for one feed; lists and timelines refresh afterwards. */
export function FeedActions({ feed, size = 'middle' }: { feed: Pick<FeedSummary, 'id' | 'name' | 'status'>; size?: 'small' | 'middle' }) {
  const { t } = useTranslation('feeds');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: feedKeys.all });

  const run = useMutation({
    mutationFn: () => {
      // The mutation answers when the run is over; meanwhile the run list shows it running.
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: feedKeys.runs(feed.id) }), 500);
      return runFeedNow(feed.id);
    },
    onSuccess: (outcome) => {
      if (outcome.started && outcome.run) void message.success(t('runStarted', { status: t(`runStatus.${outcome.run.status}`) }));
      else void message.warning(t('runNotStarted', { reason: outcome.reason ? t(`reason.${outcome.reason}`, { defaultValue: outcome.reason }) : '' }));
    },
    onError: (error) => void message.error(error.message),
    onSettled: refresh,
  });
  const pause = useMutation({
    mutationFn: (paused: boolean) => setFeedPaused(feed.id, paused),
    onSuccess: (_, paused) => void message.success(paused ? t('paused') : t('resumed')),
    onError: (error) => void message.error(error.message),
    onSettled: refresh,
  });
  const paused = feed.status === 'PAUSED';

  return (
    <Space size="small" wrap>
      <Button
        size={size}
        type="primary"
        icon={<PlayCircleOutlined aria-hidden />}
        loading={run.isPending}
        disabled={paused}
        aria-label={`${t('runNow')}：${feed.name}`}
        onClick={() => run.mutate()}
      >
        {run.isPending ? t('running') : t('runNow')}
      </Button>
      <Button
        size={size}
        icon={paused ? <CaretRightOutlined aria-hidden /> : <PauseOutlined aria-hidden />}
        loading={pause.isPending}
        aria-label={`${paused ? t('resume') : t('pause')}：${feed.name}`}
        onClick={() => pause.mutate(!paused)}
      >
        {paused ? t('resume') : t('pause')}
      </Button>
    </Space>
  );
}
