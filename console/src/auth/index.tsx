import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { gql, onUnauthenticated, storedToken, storeToken } from '../api/client';

export type Role = 'PLATFORM_ADMIN' | 'ORG_ADMIN' | 'DEPARTMENT_ADMIN' | 'REVIEWER' | 'ANALYST' | 'MEMBER';

export interface RoleGrant {
  role: Role;
  orgUnit: { id: string; code: string; name: string } | null;
  department: { code: string; name: { zh: string; en: string } } | null;
  stages: string[];
}

/** The GraphQL `viewer` of the signed-in user. */
export interface Viewer {
  authenticated: boolean;
  roles: Role[];
  grants: RoleGrant[];
  user: { id: string; username: string; displayName: string; lastLoginAt: string | null; grants: RoleGrant[] } | null;
}

const GRANT_FIELDS = 'role stages orgUnit { id code name } department { code name { zh en } }';
export const VIEWER_QUERY = `query ConsoleViewer { viewer { authenticated roles grants { ${GRANT_FIELDS} } user { id username displayName lastLoginAt grants { ${GRANT_FIELDS} } } } }`;
const LOGIN_MUTATION = 'mutation ConsoleLogin($username: String!, $password: String!) { login(username: $username, password: $password) { token expiresAt } }';

export interface AuthState {
  viewer: Viewer | null;
  token: string | null;
  /** True while the stored token is being checked at start. */
  checking: boolean;
  login(username: string, password: string): Promise<Viewer>;
  logout(): void;
  hasRole(role: Role): boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [checking, setChecking] = useState<boolean>(() => storedToken() !== null);

  const logout = useCallback(() => {
    storeToken(null);
    setToken(null);
    setViewer(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => onUnauthenticated(logout), [logout]);

  // A token kept from an earlier visit: find out whether it still stands for a user.
  useEffect(() => {
    if (!token || viewer) {
      setChecking(false);
      return;
    }
    let cancelled = false;
    gql<{ viewer: Viewer }>(VIEWER_QUERY).then(
      ({ viewer: current }) => {
        if (cancelled) return;
        if (current.authenticated) setViewer(current);
        else logout();
        setChecking(false);
      },
      () => {
        if (!cancelled) {
          logout();
          setChecking(false);
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [token, viewer, logout]);

  const login = useCallback(
    async (username: string, password: string) => {
      const { login: payload } = await gql<{ login: { token: string } }>(LOGIN_MUTATION, { username, password });
      storeToken(payload.token);
      const { viewer: current } = await gql<{ viewer: Viewer }>(VIEWER_QUERY);
      queryClient.clear();
      setViewer(current);
      setToken(payload.token);
      return current;
    },
    [queryClient],
  );

  const value = useMemo<AuthState>(
    () => ({ viewer, token, checking, login, logout, hasRole: (role) => viewer?.roles.includes(role) ?? false }),
    [viewer, token, checking, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth() outside <AuthProvider>');
  return auth;
}
