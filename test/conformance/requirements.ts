import type { MongoClient } from 'mongodb';
import type { RunOnRequirement } from './spec-format.js';

export type Topology = 'single' | 'replicaset' | 'sharded' | 'load-balanced';

/** What the server under test advertises about itself. */
export interface ServerFacts {
  version: string;
  topology: Topology;
}

/** Reads the version from buildInfo and the topology from hello, as a driver would. */
export async function probeServer(client: MongoClient): Promise<ServerFacts> {
  const admin = client.db('admin');
  const [buildInfo, hello] = await Promise.all([admin.command({ buildInfo: 1 }), admin.command({ hello: 1 })]);
  const version = String(buildInfo.version);
  if (!/^\d+\.\d+/.test(version)) throw new Error(`buildInfo.version is not a version: ${version}`);
  return { version, topology: topologyOf(hello) };
}

function topologyOf(hello: Record<string, unknown>): Topology {
  if (hello.serviceId !== undefined) return 'load-balanced';
  if (hello.msg === 'isdbgrid') return 'sharded';
  if (typeof hello.setName === 'string') return 'replicaset';
  return 'single';
}

/**
 * Null when some requirement in the list is met (or there is none), otherwise why none is.
 * The server under test is never serverless, and auth/CSFLE/server parameters are not
 * offered, so requirements that need them are unmet.
 */
export function unmetRequirements(requirements: RunOnRequirement[] | undefined, server: ServerFacts): string | null {
  if (!requirements || requirements.length === 0) return null;
  const reasons: string[] = [];
  for (const requirement of requirements) {
    const reason = unmet(requirement, server);
    if (reason === null) return null;
    reasons.push(reason);
  }
  return reasons.join('; or ');
}

function unmet(requirement: RunOnRequirement, server: ServerFacts): string | null {
  const { minServerVersion, maxServerVersion, topologies, serverless } = requirement;
  if (minServerVersion && compareVersions(server.version, minServerVersion) < 0) {
    return `needs server ≥ ${minServerVersion} (have ${server.version})`;
  }
  if (maxServerVersion && compareVersions(server.version, maxServerVersion) > 0) {
    return `needs server ≤ ${maxServerVersion} (have ${server.version})`;
  }
  if (topologies && !topologies.some((topology) => topologyMatches(topology, server.topology))) {
    return `needs topology ${topologies.join('|')} (have ${server.topology})`;
  }
  if (serverless === 'require') return 'needs a serverless deployment';
  if (requirement.auth === true) return 'needs authentication enabled';
  if (requirement.csfle === true) return 'needs client-side field level encryption';
  if (requirement.serverParameters) return 'needs specific server parameters';
  return null;
}

function topologyMatches(wanted: string, actual: Topology): boolean {
  return wanted === actual || (wanted === 'sharded-replicaset' && actual === 'sharded');
}

/** Compares dotted versions numerically; missing parts count as 0 ("4.2" = "4.2.0"). */
export function compareVersions(a: string, b: string): number {
  const partsA = versionParts(a);
  const partsB = versionParts(b);
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i += 1) {
    const diff = (partsA[i] ?? 0) - (partsB[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

function versionParts(version: string): number[] {
  return version
    .split('-')[0]!
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
}
