import { ApartmentOutlined, AuditOutlined, BarChartOutlined, DatabaseOutlined, HistoryOutlined, LogoutOutlined, SearchOutlined, StopOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { useAuth, type Role } from '../auth';
import { FEED_ROLES } from '../feeds';
import { currentLanguage, setLanguage, useTranslation } from '../i18n';

interface NavItem {
  key: string;
  path: string;
  icon: ReactNode;
  /** Who sees the item; empty: every signed-in user. Platform admins see everything. */
  roles: Role[];
}

export const NAV_ITEMS: NavItem[] = [
  { key: 'home', path: '/', icon: <UserOutlined />, roles: [] },
  { key: 'feeds', path: '/feeds', icon: <DatabaseOutlined />, roles: FEED_ROLES },
  { key: 'runs', path: '/runs', icon: <HistoryOutlined />, roles: FEED_ROLES },
  { key: 'quarantine', path: '/quarantine', icon: <StopOutlined />, roles: FEED_ROLES },
  { key: 'review', path: '/review', icon: <AuditOutlined />, roles: ['REVIEWER', 'ORG_ADMIN'] },
  { key: 'resources', path: '/resources', icon: <SearchOutlined />, roles: [] },
  { key: 'reports', path: '/reports', icon: <BarChartOutlined />, roles: ['ANALYST'] },
  { key: 'org', path: '/org', icon: <ApartmentOutlined />, roles: [] },
];

function selectedKey(pathname: string): string {
  const first = pathname.split('/')[1] ?? '';
  return NAV_ITEMS.find((item) => item.path === `/${first}`)?.key ?? 'home';
}

/** Side menu (by role), header (user, language, sign out) and the page. */
export function AppLayout() {
  const { viewer, hasRole, logout } = useAuth();
  const { t } = useTranslation('common');
  const location = useLocation();
  const visible = NAV_ITEMS.filter((item) => item.roles.length === 0 || hasRole('PLATFORM_ADMIN') || item.roles.some(hasRole));
  const language = currentLanguage();

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="gx-skip-link" href="#gx-main">
        {language === 'zh' ? '跳到主要内容' : 'Skip to main content'}
      </a>
      <Layout.Sider breakpoint="lg" collapsedWidth={56} width={200} theme="dark" aria-label={t('nav.label')}>
        <div className="gx-brand">{t('appShort')}</div>
        <nav aria-label={t('nav.label')}>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selectedKey(location.pathname)]}
            items={visible.map((item) => ({
              key: item.key,
              icon: item.icon,
              label: (
                <Link to={item.path} aria-label={t(`nav.${item.key}`)}>
                  {t(`nav.${item.key}`)}
                </Link>
              ),
            }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="gx-header">
          <Typography.Text strong className="gx-header-title">
            {t('appName')}
          </Typography.Text>
          <Space size="middle">
            <span aria-label={t('header.user', { name: viewer?.user?.displayName ?? '' })} data-testid="current-user">
              <UserOutlined aria-hidden /> {viewer?.user?.displayName}
            </span>
            <Button
              size="small"
              aria-label={t('header.language')}
              title={t('header.language')}
              onClick={() => void setLanguage(language === 'zh' ? 'en' : 'zh')}
              lang={language === 'zh' ? 'en' : 'zh-CN'}
            >
              {t('header.languageShort')}
            </Button>
            <Button size="small" icon={<LogoutOutlined aria-hidden />} onClick={logout}>
              {t('header.logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content id="gx-main" tabIndex={-1} className="gx-content">
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
