import { Alert, Button, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from '../i18n';

export interface PageStateProps {
  loading?: boolean;
  /** An error to show instead of the children (its message is shown as is). */
  error?: unknown;
  empty?: boolean;
  emptyText?: ReactNode;
  onRetry?: () => void;
  children?: ReactNode;
}

/** Loading, error and empty states of a page or panel; the children otherwise. */
export function PageState({ loading, error, empty, emptyText, onRetry, children }: PageStateProps) {
  const { t } = useTranslation('common');
  if (error) {
    return (
      <Alert
        type="error"
        showIcon
        role="alert"
        message={t('state.error')}
        description={error instanceof Error ? error.message : String(error)}
        action={
          onRetry ? (
            <Button size="small" onClick={onRetry}>
              {t('state.retry')}
            </Button>
          ) : undefined
        }
      />
    );
  }
  if (loading) {
    return (
      <div role="status" aria-live="polite" style={{ padding: 48, textAlign: 'center' }}>
        <Spin tip={t('state.loading')}>
          <div style={{ minHeight: 40 }} />
        </Spin>
      </div>
    );
  }
  if (empty) return <Empty description={emptyText ?? t('state.empty')} />;
  return <>{children}</>;
}
