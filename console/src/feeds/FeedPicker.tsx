import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useId } from 'react';
import { useTranslation } from '../i18n';
import { feedKeys, listFeeds } from './api';
import './messages';

/** A labelled select of the feeds the viewer administers. */
export function FeedPicker({ value, onChange }: { value: string | undefined; onChange: (id: string) => void }) {
  const { t } = useTranslation('feeds');
  const id = useId();
  const feeds = useQuery({ queryKey: feedKeys.list(), queryFn: listFeeds });
  return (
    <span>
      <label htmlFor={id} style={{ marginRight: 8 }}>
        {t('runs.pickFeed')}
      </label>
      <Select
        id={id}
        showSearch
        optionFilterProp="label"
        style={{ width: 360, maxWidth: '100%' }}
        loading={feeds.isLoading}
        value={value}
        onChange={onChange}
        options={(feeds.data ?? []).map((feed) => ({ value: feed.id, label: feed.name }))}
      />
    </span>
  );
}
