import { Types } from 'mongoose';
import { z } from 'zod';
import type { Models, StoredGrant, UserDoc } from '../../db/index.js';
import { AccessError, authorize, notFound } from '../access/index.js';
import type { AuditTrail } from '../audit/index.js';
import { InvalidInputError } from '../errors.js';
import { ROLES, type RoleGrant, type UserViewer, type Viewer } from '../visibility/index.js';
import type { AuthConfig } from './config.js';
import { decoyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { TokenError, type TokenService } from './tokens.js';

type AuthModels = Pick<Models, 'User' | 'OrgUnit' | 'Department'>;

export const grantInputSchema = z.object({
  role: z.enum(ROLES),
  orgUnitCode: z.string().trim().min(1).nullish(),
  department: z.string().trim().toLowerCase().min(1).nullish(),
  stages: z.array(z.string().trim().min(1)).default([]),
});
export type GrantInput = z.input<typeof grantInputSchema>;

export const userInputSchema = z.object({
  username: z.string().trim().toLowerCase().regex(/^[a-z0-9._@-]{3,64}$/, '3–64 个字母、数字或 ._@- / 3–64 letters, digits or ._@-'),
  displayName: z.string().trim().min(1).max(100),
  password: z.string().min(MIN_PASSWORD_LENGTH, `密码至少 ${MIN_PASSWORD_LENGTH} 位 / Password needs at least ${MIN_PASSWORD_LENGTH} characters`).max(256).nullish(),
  externalSubject: z.string().trim().min(1).nullish(),
  grants: z.array(grantInputSchema).min(1),
});
export type UserInput = z.input<typeof userInputSchema>;

const LOGIN_FAILED = new AccessError('UNAUTHENTICATED', '用户名或密码错误，或账户已锁定', 'Wrong username or password, or the account is locked');
const BAD_TOKEN = (): AccessError => new AccessError('UNAUTHENTICATED', '令牌无效、已过期或用户已停用', 'Invalid or expired token, or the user no longer exists');

function parse<T extends z.ZodType>(schema: T, input: unknown, field: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(`输入无效：${issue.path.join('.')} ${issue.message}`, `Invalid input: ${issue.path.join('.')} ${issue.message}`, field);
  }
  return parsed.data;
}

/** Users, their grants, login with lockout, and turning a bearer token into a Viewer. */
/** Bound on the viewer cache, so a flood of distinct tokens cannot grow it without limit. */
const MAX_CACHED_VIEWERS = 10_000;

export class AuthService {
  /**
   * Viewers of recently verified tokens, for AUTH_VIEWER_CACHE_SECONDS (never past the token's
   * expiry): saves the user lookup on every request. Changes made through this process apply at
   * once; another instance sees a deletion or new grants within that many seconds.
   */
  private readonly viewers = new Map<string, { viewer: UserViewer; until: number }>();

  constructor(
    private readonly models: AuthModels,
    private readonly tokens: TokenService,
    private readonly config: AuthConfig,
  ) {}

  /** Checks a grant's shape and resolves its org unit code; the rules per role are in domain/visibility. */
  private async storedGrants(grants: z.output<typeof grantInputSchema>[]): Promise<StoredGrant[]> {
    const stored: StoredGrant[] = [];
    for (const [index, grant] of grants.entries()) {
      const field = `grants[${index}]`;
      const needsUnit = grant.role === 'ORG_ADMIN' || grant.role === 'REVIEWER' || grant.role === 'MEMBER';
      if (needsUnit && !grant.orgUnitCode) throw new InvalidInputError(`${grant.role} 需要组织范围`, `${grant.role} needs an org unit`, field);
      if (grant.role === 'PLATFORM_ADMIN' && (grant.orgUnitCode || grant.department)) {
        throw new InvalidInputError('平台管理员没有范围', 'PLATFORM_ADMIN takes no scope', field);
      }
      if (grant.role === 'DEPARTMENT_ADMIN' && !grant.department) throw new InvalidInputError('部门管理员需要部门', 'DEPARTMENT_ADMIN needs a department', field);
      let orgUnit: Types.ObjectId | null = null;
      let orgAncestors: Types.ObjectId[] = [];
      if (grant.orgUnitCode) {
        const unit = await this.models.OrgUnit.findOne({ code: grant.orgUnitCode }, { _id: 1, ancestors: 1 }).lean();
        if (!unit) throw new InvalidInputError(`未知组织编码 ${grant.orgUnitCode}`, `Unknown org unit code ${grant.orgUnitCode}`, field);
        orgUnit = unit._id;
        orgAncestors = unit.ancestors;
      }
      if (grant.department && !(await this.models.Department.exists({ code: grant.department }))) {
        throw new InvalidInputError(`未知部门 ${grant.department}`, `Unknown department ${grant.department}`, field);
      }
      stored.push({ role: grant.role, orgUnit, orgAncestors, department: grant.department ?? null, stages: grant.role === 'REVIEWER' ? grant.stages : [] });
    }
    return stored;
  }

  /** Creates a user without a policy check: for the CLI's first platform admin and for services that checked already. */
  async createUserUnchecked(input: UserInput): Promise<UserDoc> {
    const data = parse(userInputSchema, input, 'input');
    if (!data.password && !data.externalSubject) {
      throw new InvalidInputError('需要密码或外部身份', 'A password or an external subject is required', 'input.password');
    }
    const grants = await this.storedGrants(data.grants);
    try {
      const created = await this.models.User.create({
        username: data.username,
        displayName: data.displayName,
        passwordHash: data.password ? await hashPassword(data.password) : null,
        externalSubject: data.externalSubject ?? null,
        grants,
      });
      return created.toObject();
    } catch (error) {
      if ((error as { code?: unknown }).code === 11000) {
        throw new AccessError('CONFLICT', `用户名 ${data.username} 已存在`, `Username ${data.username} is taken`);
      }
      throw error;
    }
  }

  async createUser(viewer: Viewer, audit: AuditTrail, input: UserInput): Promise<UserDoc> {
    authorize(viewer, 'user.manage');
    const user = await this.createUserUnchecked(input);
    await audit.record({ action: 'user.create', outcome: 'SUCCESS', target: { type: 'User', id: user._id.toHexString() }, after: publicUser(user) });
    return user;
  }

  async setGrants(viewer: Viewer, audit: AuditTrail, userId: Types.ObjectId, grants: GrantInput[]): Promise<UserDoc> {
    authorize(viewer, 'user.manage');
    const before = await this.liveUser(userId);
    const stored = await this.storedGrants(parse(z.array(grantInputSchema).min(1), grants, 'grants'));
    const after = await this.models.User.findOneAndUpdate({ _id: userId, deletedAt: null }, { $set: { grants: stored } }, { new: true }).lean();
    if (!after) throw notFound('用户', 'User');
    this.forgetViewers(userId);
    await audit.record({ action: 'user.setGrants', outcome: 'SUCCESS', target: { type: 'User', id: userId.toHexString() }, before: publicUser(before), after: publicUser(after) });
    return after;
  }

  /** Soft delete: the user can no longer sign in, and tokens already issued are refused. */
  async deleteUser(viewer: Viewer, audit: AuditTrail, userId: Types.ObjectId): Promise<UserDoc> {
    authorize(viewer, 'user.manage');
    const before = await this.liveUser(userId);
    const after = await this.models.User.findOneAndUpdate({ _id: userId, deletedAt: null }, { $set: { deletedAt: new Date() } }, { new: true }).lean();
    if (!after) throw notFound('用户', 'User');
    this.forgetViewers(userId);
    await audit.record({ action: 'user.delete', outcome: 'SUCCESS', target: { type: 'User', id: userId.toHexString() }, before: publicUser(before), after: publicUser(after) });
    return after;
  }

  async listUsers(viewer: Viewer): Promise<UserDoc[]> {
    authorize(viewer, 'user.manage');
    return this.models.User.find({ deletedAt: null }).sort({ username: 1 }).lean();
  }

  private async liveUser(userId: Types.ObjectId): Promise<UserDoc> {
    const user = await this.models.User.findOne({ _id: userId, deletedAt: null }).lean();
    if (!user) throw notFound('用户', 'User');
    return user;
  }

  /**
   * Password login. Unknown users cost a decoy verification, so timing does not reveal which
   * usernames exist; after maxFailedLogins failures in a row the account locks for lockoutSeconds.
   * Every attempt is audited.
   */
  async login(audit: AuditTrail, usernameInput: string, password: string): Promise<{ token: string; expiresAt: Date; user: UserDoc }> {
    if (!this.tokens.canIssue) throw new AccessError('FORBIDDEN', '本部署未启用本地登录', 'Local login is not enabled on this deployment');
    const username = usernameInput.trim().toLowerCase();
    const user = await this.models.User.findOne({ username, deletedAt: null }).lean();
    const fail = async (detail: string): Promise<never> => {
      await audit.record({ action: 'auth.login', outcome: 'FAILURE', actorName: username, actorId: user?._id, target: user ? { type: 'User', id: user._id.toHexString() } : undefined, detail });
      throw LOGIN_FAILED;
    };
    if (!user || !user.passwordHash) {
      await verifyPassword(password, await decoyHash());
      return fail('unknown user');
    }
    const now = new Date();
    if (user.lockedUntil && user.lockedUntil > now) return fail('locked');
    if (!(await verifyPassword(password, user.passwordHash))) {
      const failures = user.failedLogins + 1;
      const locks = failures >= this.config.maxFailedLogins;
      await this.models.User.updateOne(
        { _id: user._id },
        { $set: { failedLogins: locks ? 0 : failures, lockedUntil: locks ? new Date(now.getTime() + this.config.lockoutSeconds * 1000) : user.lockedUntil } },
      );
      return fail(locks ? 'wrong password; account locked' : 'wrong password');
    }
    await this.models.User.updateOne({ _id: user._id }, { $set: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
    const { token, expiresAt } = await this.tokens.issue(user._id.toHexString());
    await audit.record({ action: 'auth.login', outcome: 'SUCCESS', actorName: user.username, actorId: user._id, target: { type: 'User', id: user._id.toHexString() } });
    return { token, expiresAt, user };
  }

  /** The viewer a bearer token stands for; UNAUTHENTICATED for a bad or expired token or a deleted user. */
  async viewerForToken(token: string): Promise<UserViewer> {
    const now = Date.now();
    const cached = this.viewers.get(token);
    if (cached && cached.until > now) return cached.viewer;
    if (cached) this.viewers.delete(token);
    const { viewer, expiresAt } = await this.lookUpViewer(token);
    if (this.config.viewerCacheSeconds > 0) {
      if (this.viewers.size >= MAX_CACHED_VIEWERS) this.viewers.delete(this.viewers.keys().next().value!);
      this.viewers.set(token, { viewer, until: Math.min(now + this.config.viewerCacheSeconds * 1000, expiresAt ?? Number.POSITIVE_INFINITY) });
    }
    return viewer;
  }

  /** Drops a user's cached viewers, so a change to them (deletion, grants) applies at once in this process. */
  private forgetViewers(userId: Types.ObjectId): void {
    for (const [token, entry] of this.viewers) if (entry.viewer.userId.equals(userId)) this.viewers.delete(token);
  }

  private async lookUpViewer(token: string): Promise<{ viewer: UserViewer; expiresAt: number | null }> {
    let verified;
    try {
      verified = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof TokenError) throw BAD_TOKEN();
      throw error;
    }
    const key = verified.local
      ? Types.ObjectId.isValid(verified.subject) && /^[0-9a-f]{24}$/i.test(verified.subject)
        ? { _id: new Types.ObjectId(verified.subject) }
        : null
      : { externalSubject: verified.subject };
    const user = key ? await this.models.User.findOne({ ...key, deletedAt: null }, { username: 1, grants: 1 }).lean() : null;
    if (!user) throw BAD_TOKEN();
    return { viewer: { kind: 'user', userId: user._id, username: user.username, grants: viewerGrants(user.grants) }, expiresAt: verified.expiresAt };
  }
}

/** Grants as the viewer carries them; stored grants of unknown roles grant nothing. */
function viewerGrants(grants: StoredGrant[]): RoleGrant[] {
  return grants.flatMap((grant): RoleGrant[] =>
    (ROLES as readonly string[]).includes(grant.role)
      ? [
          {
            role: grant.role as RoleGrant['role'],
            orgUnit: grant.orgUnit ? { id: grant.orgUnit, ancestors: grant.orgAncestors } : null,
            department: grant.department,
            stages: grant.stages,
          },
        ]
      : [],
  );
}

/** A user without secrets, for audit hashes and the API. */
export function publicUser(user: UserDoc): Omit<UserDoc, 'passwordHash'> {
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}
