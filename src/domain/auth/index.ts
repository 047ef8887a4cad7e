export { loadAuthConfig, type AuthConfig } from './config.js';
export { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.js';
export { TokenError, TokenService, type VerifiedToken } from './tokens.js';
export { AuthService, grantInputSchema, publicUser, userInputSchema, type GrantInput, type UserInput } from './users.js';
export { createAuthRuntime, type AuthRuntime } from './runtime.js';
