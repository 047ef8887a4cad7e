import type { AuthService, GrantInput } from '../src/domain/auth/index.js';
import { AccessError } from '../src/domain/access/index.js';

/**
 * DEMO ONLY. Accounts a freshly seeded demo hub gets, one per console audience, with published
 * passwords (README "Web console"). A hub started on real data never creates them: they are
 * written only together with the demo data, into an empty store.
 */
export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  grants: GrantInput[];
}

export const DEMO_USERS = [
  { username: 'admin', password: 'demo-admin-2026', displayName: '演示·平台管理员', grants: [{ role: 'PLATFORM_ADMIN' }] },
  { username: 'health-admin', password: 'demo-health-2026', displayName: '演示·卫健部门管理员', grants: [{ role: 'DEPARTMENT_ADMIN', department: 'health' }] },
  { username: 'justice-admin', password: 'demo-justice-2026', displayName: '演示·司法部门管理员', grants: [{ role: 'DEPARTMENT_ADMIN', department: 'justice' }] },
  { username: 'reviewer', password: 'demo-review-2026', displayName: '演示·审核员', grants: [{ role: 'REVIEWER', orgUnitCode: '330500' }] },
  { username: 'analyst', password: 'demo-analyst-2026', displayName: '演示·全市分析员', grants: [{ role: 'ANALYST' }] },
  { username: 'analyst-wuxing', password: 'demo-wuxing-2026', displayName: '演示·吴兴区分析员', grants: [{ role: 'ANALYST', orgUnitCode: '330502' }] },
] as const satisfies readonly DemoUser[];

export type DemoUsername = (typeof DEMO_USERS)[number]['username'];

/** Creates the demo accounts that do not exist yet; returns how many it created. */
export async function seedDemoUsers(service: Pick<AuthService, 'createUserUnchecked'>): Promise<number> {
  let created = 0;
  for (const user of DEMO_USERS) {
    try {
      await service.createUserUnchecked({ ...user, grants: [...user.grants] });
      created += 1;
    } catch (error) {
      if (!(error instanceof AccessError && error.code === 'CONFLICT')) throw error;
    }
  }
  return created;
}
