import { Types } from 'mongoose';
import { AccessError } from '../../domain/access/index.js';
import type { AuthRuntime, GrantInput } from '../../domain/auth/index.js';
import type { GraphQLContext } from '../context.js';
import type { GrantInput as GrantInputArg, Resolvers } from '../generated/resolvers-types.js';
import { toGlobalId } from '../global-id.js';
import { auditTrailOf, idOfType } from '../access-context.js';
import type { ResolverModule } from './module.js';

function authOf(context: GraphQLContext): AuthRuntime {
  if (!context.auth) throw new AccessError('FORBIDDEN', '本服务未启用认证', 'Authentication is not enabled on this server');
  return context.auth;
}

function grantInputs(grants: readonly GrantInputArg[]): GrantInput[] {
  return grants.map((grant) => ({
    role: grant.role,
    orgUnitCode: grant.orgUnitCode ?? null,
    department: grant.department ?? null,
    stages: grant.stages ?? [],
  }));
}

const resolvers: Resolvers = {
  Query: {
    viewer: (_parent, _args, { viewer }) => viewer,
    users: (_parent, _args, context) => authOf(context).service.listUsers(context.viewer),
  },
  Mutation: {
    login: async (_parent, { username, password }, context) => authOf(context).service.login(auditTrailOf(context), username, password),
    createUser: (_parent, { input }, context) =>
      authOf(context).service.createUser(context.viewer, auditTrailOf(context), {
        username: input.username,
        displayName: input.displayName,
        password: input.password ?? null,
        externalSubject: input.externalSubject ?? null,
        grants: grantInputs(input.grants),
      }),
    setUserGrants: (_parent, { id, grants }, context) =>
      authOf(context).service.setGrants(context.viewer, auditTrailOf(context), idOfType(id, 'User', 'id'), grantInputs(grants)),
    deleteUser: (_parent, { id }, context) => authOf(context).service.deleteUser(context.viewer, auditTrailOf(context), idOfType(id, 'User', 'id')),
  },
  Viewer: {
    authenticated: (viewer) => viewer.kind === 'user',
    user: (viewer, _args, { models }) => (viewer.kind === 'user' ? models.User.findById(viewer.userId).lean().exec() : null),
    roles: (viewer) => (viewer.kind === 'user' ? [...new Set(viewer.grants.map((grant) => grant.role))] : []),
    grants: (viewer) => (viewer.kind === 'user' ? viewer.grants : []),
  },
  User: {
    id: (user) => toGlobalId('User', user._id),
  },
  RoleGrant: {
    role: (grant) => grant.role as never,
    orgUnit: (grant, _args, { loaders }) => {
      const unit = grant.orgUnit;
      if (!unit) return null;
      return loaders.orgUnitById.load(unit instanceof Types.ObjectId ? unit : unit.id);
    },
    department: (grant, _args, { loaders }) => (grant.department ? loaders.departmentByCode.load(grant.department) : null),
  },
};

export const authModule: ResolverModule = { resolvers };
