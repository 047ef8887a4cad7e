import { Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useAuth, type RoleGrant } from '../../auth';
import { formatDateTime } from '../../components';
import { currentLanguage, useTranslation } from '../../i18n';
import { NAV_ITEMS } from '../../layout/AppLayout';

/** Who am I: the signed-in user, their roles and the scope of each grant. */
export function HomePage() {
  const { viewer, hasRole } = useAuth();
  const { t } = useTranslation('common');
  const zh = currentLanguage() === 'zh';
  const user = viewer?.user;
  const grants = viewer?.grants ?? [];
  const shortcuts = NAV_ITEMS.filter((item) => item.key !== 'home' && (item.roles.length === 0 || hasRole('PLATFORM_ADMIN') || item.roles.some(hasRole)));

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t('home.title')}
      </Typography.Title>
      <Card>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('home.displayName')}>{user?.displayName}</Descriptions.Item>
          <Descriptions.Item label={t('home.username')}>{user?.username}</Descriptions.Item>
          <Descriptions.Item label={t('home.roles')}>
            <span data-testid="viewer-roles">
              {viewer?.roles.map((role) => (
                <Tag key={role} color="red">
                  {t(`role.${role}`)}
                </Tag>
              ))}
            </span>
          </Descriptions.Item>
          <Descriptions.Item label={t('home.lastLogin')}>{formatDateTime(user?.lastLoginAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('home.grants')}</h3>}>
        <Table<RoleGrant>
          size="small"
          pagination={false}
          rowKey={(grant) => `${grant.role}:${grant.orgUnit?.code ?? ''}:${grant.department?.code ?? ''}`}
          dataSource={grants}
          columns={[
            { title: t('home.role'), dataIndex: 'role', render: (role: RoleGrant['role']) => t(`role.${role}`) },
            {
              title: t('home.scope'),
              key: 'scope',
              render: (_, grant) => (grant.orgUnit ? `${grant.orgUnit.name}（${grant.orgUnit.code}）` : t('home.everywhere')),
            },
            { title: t('home.department'), key: 'department', render: (_, grant) => (grant.department ? (zh ? grant.department.name.zh : grant.department.name.en) : '—') },
            {
              title: t('home.stages'),
              key: 'stages',
              render: (_, grant) => (grant.role !== 'REVIEWER' ? '—' : grant.stages.length ? grant.stages.join('、') : t('home.allStages')),
            },
          ]}
        />
      </Card>
      {shortcuts.length > 0 && (
        <Card title={<h3 style={{ margin: 0, fontSize: 16 }}>{t('home.shortcuts')}</h3>}>
          <Space wrap>
            {shortcuts.map((item) => (
              <Link key={item.key} to={item.path}>
                {item.icon} {t(`nav.${item.key}`)}
              </Link>
            ))}
          </Space>
        </Card>
      )}
    </Space>
  );
}
