import { useQuery } from '@tanstack/react-query';
import { currentLanguage } from '../i18n';
import { listDepartments } from './api';

/** A department's name in the console's language (its code while the names load). */
export function DepartmentName({ code }: { code: string }) {
  const departments = useQuery({ queryKey: ['departments'], queryFn: listDepartments, staleTime: Infinity });
  const department = departments.data?.find((candidate) => candidate.code === code);
  if (!department) return <>{code}</>;
  return <>{currentLanguage() === 'zh' ? department.name.zh : department.name.en}</>;
}
