import { listDepartments } from '../../domain/departments/index.js';
import { listUnits } from '../../domain/org/index.js';
import { toGlobalId } from '../global-id.js';
import { present } from '../loaders/keyed.js';
import type { ResolverModule } from './module.js';

export const orgModule: ResolverModule = {
  resolvers: {
    Query: {
      departments: (_parent, _args, { models }) => listDepartments(models),
      department: (_parent, { code }, { loaders }) => loaders.departmentByCode.load(code.trim().toLowerCase()),
      orgUnit: (_parent, { code }, { loaders }) => loaders.orgUnitByCode.load(code.trim()),
      orgUnits: (_parent, { level }, { models }) => listUnits(models, level ?? undefined),
    },
    Department: {
      id: (department) => toGlobalId('Department', department._id),
      contact: (department) => department.contact ?? {},
    },
    OrgUnit: {
      id: (unit) => toGlobalId('OrgUnit', unit._id),
      parent: (unit, _args, { loaders }) => (unit.parentId ? loaders.orgUnitById.load(unit.parentId) : null),
      children: (unit, _args, { loaders }) => loaders.orgUnitChildren.load(unit._id.toHexString()),
      ancestors: async (unit, _args, { loaders }) => present(await loaders.orgUnitById.loadMany(unit.ancestors)),
    },
  },
  nodeTypes: {
    Department: (id, { loaders }) => loaders.departmentById.load(id),
    OrgUnit: (id, { loaders }) => loaders.orgUnitById.load(id),
  },
};

