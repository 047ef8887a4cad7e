import type { ReactNode } from 'react';
import { Space, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { currentLanguage, useTranslation } from '../../i18n';
import './messages';

/** Pieces the review, resources, reports and org pages share: names, tags and links of resources. */

export type ResourceKind = 'SERVICE' | 'POLICY' | 'EVENT';
export type ResourceStatus = 'DRAFT' | 'PENDING' | 'PUBLISHED' | 'REJECTED' | 'WITHDRAWN';

export interface LocalizedName {
  zh: string;
  en: string;
}

const KIND_COLORS: Record<ResourceKind, string> = { SERVICE: 'blue', POLICY: 'purple', EVENT: 'green' };
const STATUS_COLORS: Record<ResourceStatus, string> = {
  DRAFT: 'default',
  PENDING: 'gold',
  PUBLISHED: 'green',
  REJECTED: 'red',
  WITHDRAWN: 'default',
};

export function KindTag({ kind }: { kind: ResourceKind }) {
  const { t } = useTranslation('resources');
  return <Tag color={KIND_COLORS[kind]}>{t(`kind.${kind}`)}</Tag>;
}

export function StatusTag({ status }: { status: ResourceStatus }) {
  const { t } = useTranslation('resources');
  return <Tag color={STATUS_COLORS[status]}>{t(`status.${status}`)}</Tag>;
}

/** The name in the console's language. */
export function localized(name: LocalizedName | null | undefined): string {
  if (!name) return '—';
  return currentLanguage() === 'en' ? name.en : name.zh;
}

/** Global ids are base64url of "<Type>:<hex>"; provenance carries bare hex ids of feeds and runs. */
export function globalId(type: string, hex: string): string {
  return btoa(`${type}:${hex}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A link to the resource's detail page; `children` can replace the plain title (e.g. with highlights). */
export function ResourceLink({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  return <Link to={`/resources/${encodeURIComponent(id)}`}>{children ?? title}</Link>;
}

/** A page of these sections: its heading, then its parts stacked. */
export function PageLayout({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      {children}
    </Space>
  );
}
