import type { SortSpec } from '../pagination/index.js';

export const RESOURCE_ORDER_FIELDS = {
  UPDATED_AT: 'updatedAt',
  CREATED_AT: 'createdAt',
  TITLE: 'title',
  PUBLISHED_AT: 'publishedAt', // 发布日期 (policies)
  STARTS_AT: 'startsAt', // 开始时间 (events)
} as const;
export type ResourceOrderField = keyof typeof RESOURCE_ORDER_FIELDS;
export type SortDirection = 'ASC' | 'DESC';

export interface ResourceOrder {
  field: ResourceOrderField;
  direction?: SortDirection | null;
}

export function resourceSort(order: ResourceOrder): SortSpec {
  const direction = order.direction ?? 'DESC';
  return {
    order: `${order.field}:${direction}`,
    field: RESOURCE_ORDER_FIELDS[order.field],
    direction: direction === 'ASC' ? 1 : -1,
  };
}
