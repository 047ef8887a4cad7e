import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useAuth, type Role } from '../auth';
import { useTranslation } from '../i18n';

/** Shows the children to viewers holding one of `roles` (platform admins always), a notice otherwise. */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { hasRole } = useAuth();
  const { t } = useTranslation('common');
  if (hasRole('PLATFORM_ADMIN') || roles.some(hasRole)) return <>{children}</>;
  return <Result status="403" title="403" subTitle={t('forbidden')} />;
}
