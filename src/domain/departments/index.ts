import type { DepartmentDoc, Models } from '../../db/index.js';

export function listDepartments(models: Models): Promise<DepartmentDoc[]> {
  return models.Department.find().sort({ sortOrder: 1, code: 1 }).lean<DepartmentDoc[]>().exec();
}

export function findDepartmentsByCodes(models: Models, codes: readonly string[]): Promise<DepartmentDoc[]> {
  if (codes.length === 0) return Promise.resolve([]);
  return models.Department.find({ code: { $in: codes } }).lean<DepartmentDoc[]>().exec();
}

export function findDepartmentsByIds(models: Models, ids: readonly DepartmentDoc['_id'][]): Promise<DepartmentDoc[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return models.Department.find({ _id: { $in: ids } }).lean<DepartmentDoc[]>().exec();
}
