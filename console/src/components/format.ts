import { currentLanguage } from '../i18n';

/** 2026-11-30 09:41 in the console's language, or — for none. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(currentLanguage() === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium', hour12: false });
}

/** 1 h 5 min, 42 s, 350 ms. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const zh = currentLanguage() === 'zh';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ${zh ? '毫秒' : 'ms'}`;
  if (seconds < 60) return `${Math.round(seconds)} ${zh ? '秒' : 's'}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} ${zh ? '分钟' : 'min'}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} ${zh ? '小时' : 'h'} ${minutes % 60} ${zh ? '分' : 'min'}`;
  return `${Math.floor(hours / 24)} ${zh ? '天' : 'd'}`;
}
