import { Tag } from 'antd';

export type Status = 'success' | 'processing' | 'warning' | 'error' | 'default';

/** A coloured tag whose text says the status, so colour is never the only signal. */
export function StatusBadge({ status, label }: { status: Status; label: string }) {
  return (
    <Tag color={status} bordered={false}>
      {label}
    </Tag>
  );
}
