import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Credentials inside feed configs are sealed with AES-256-GCM before they reach the store
 * and are never handed back through the API. A config value counts as a credential when its
 * key names one (password, token, secret, apiKey, authorization, …): connectors' config
 * schemas are plain zod objects, so the key name is the one signal every connector shares.
 */

const SEALED_PREFIX = 'enc:v1:';
/** What the API shows in place of a credential; sending it back on update keeps the old value. */
export const REDACTED = '••••••';
const SECRET_KEY_NAME = /pass(word)?|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie/i;

const DEV_KEY_PHRASE = 'gongxiang-hub development key: not for production';

export interface SecretKeyEnv {
  HUB_SECRET_KEY?: string;
  NODE_ENV?: string;
}

/**
 * The 32-byte key from HUB_SECRET_KEY (64 hex chars or base64). Outside production a
 * missing key falls back to a fixed development key, loudly, so demos and tests run.
 */
export function loadSecretKey(env: SecretKeyEnv = process.env, warn: (m: string) => void = console.warn): Buffer {
  const raw = env.HUB_SECRET_KEY?.trim();
  if (!raw) {
    if (env.NODE_ENV === 'production') {
      throw new Error('缺少 HUB_SECRET_KEY / HUB_SECRET_KEY is required in production (32 bytes, hex or base64)');
    }
    warn('HUB_SECRET_KEY is not set: feed credentials are sealed with the development key (do not use in production)');
    return createHash('sha256').update(DEV_KEY_PHRASE).digest();
  }
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new Error('HUB_SECRET_KEY 长度无效 / HUB_SECRET_KEY must decode to 32 bytes (64 hex chars or base64)');
  }
  return key;
}

let cachedKey: Buffer | undefined;
function defaultKey(): Buffer {
  cachedKey ??= loadSecretKey();
  return cachedKey;
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

export function sealSecret(plain: string, key: Buffer = defaultKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function openSecret(sealed: string, key: Buffer = defaultKey()): string {
  const packed = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, 12));
  decipher.setAuthTag(packed.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(packed.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('凭据无法解密 / A feed credential cannot be decrypted: HUB_SECRET_KEY changed?');
  }
}

type Json = unknown;

/** Walks a JSON value, rewriting the strings that sit under a credential-named key. */
function mapSecrets(value: Json, rewrite: (secret: string, path: string) => Json, path = '', underSecret = false): Json {
  if (Array.isArray(value)) return value.map((item, i) => mapSecrets(item, rewrite, `${path}[${i}]`, underSecret));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = mapSecrets(v, rewrite, path ? `${path}.${k}` : k, underSecret || SECRET_KEY_NAME.test(k));
    }
    return out;
  }
  if (typeof value === 'string' && (underSecret || isSealed(value))) return rewrite(value, path);
  return value;
}

function valueAt(root: Json, path: string): Json {
  let node: Json = root;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, Json>)[part];
  }
  return node;
}

/**
 * Seals every credential of a config before storage. A credential sent back as REDACTED
 * (the console echoes what it was shown) keeps the previously sealed value.
 */
export function sealConfig<T>(config: T, previous?: unknown, key: Buffer = defaultKey()): T {
  return mapSecrets(config, (secret, path) => {
    if (isSealed(secret)) return secret;
    if (secret === REDACTED) {
      const old = valueAt(previous, path);
      if (isSealed(old)) return old;
      throw new Error(`凭据缺失 / Credential at ${path} was redacted but no stored value exists`);
    }
    return sealSecret(secret, key);
  }) as T;
}

/** The config with credentials decrypted, for the connector only. */
export function openConfig<T>(config: T, key: Buffer = defaultKey()): T {
  return mapSecrets(config, (secret) => (isSealed(secret) ? openSecret(secret, key) : secret)) as T;
}

/** The config as the API may show it: credentials replaced by REDACTED. */
export function redactConfig<T>(config: T): T {
  return mapSecrets(config, () => REDACTED) as T;
}
