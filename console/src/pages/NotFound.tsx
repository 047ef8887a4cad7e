import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from '../i18n';

export function NotFound() {
  const { t } = useTranslation('common');
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('notFound')}
      extra={
        <Link to="/">
          <Button type="primary" tabIndex={-1}>
            {t('backHome')}
          </Button>
        </Link>
      }
    />
  );
}
