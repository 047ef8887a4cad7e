import type { NormalizedRecordInput } from '../../src/domain/catalog/normalized-record.js';
import { departmentByCode, type SeedDepartment } from '../reference/departments.js';
import { SEED_ORG_UNITS, type SeedOrgUnit } from '../reference/org-tree.js';
import { createPrng, seedFrom, type Prng } from '../prng.js';
import { uscc } from '../uscc.js';
import { EVENT_TEMPLATES, type EventTemplate } from './event-templates.js';
import { EXTERNAL_POLICIES, POLICY_TEMPLATES, type PolicyTemplate } from './policy-templates.js';
import { SERVICE_TEMPLATES, type ServiceTemplate } from './service-templates.js';

/**
 * Turns the hand-written templates into the demo catalogue. Every choice comes from a PRNG
 * seeded by the template's key, so the output is identical on every run.
 */

type PolicyInput = Extract<NormalizedRecordInput, { kind: 'POLICY' }>;
type ServiceInput = Extract<NormalizedRecordInput, { kind: 'SERVICE' }>;
type EventInput = Extract<NormalizedRecordInput, { kind: 'EVENT' }>;

/** "Today" for the demo data: validity of time-limited policies is judged against it. */
export const DEMO_REFERENCE_DATE = '2026-11-01';
/** Events fall between these dates. */
const EVENT_SEASON_START = Date.parse('2026-10-01T00:00:00+08:00');
const EVENT_SEASON_DAYS = 240;
const DAY_MS = 86_400_000;
const OFFICE_HOURS = '周一至周五 8:30-12:00，13:30-17:00（法定节假日除外）';
const COMPLAINT_PHONE = '0572-12345';
const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

const city = SEED_ORG_UNITS.find((u) => u.level === 1) as SeedOrgUnit;
const districts = SEED_ORG_UNITS.filter((u) => u.level === 2);
const unitByCode = new Map(SEED_ORG_UNITS.map((u) => [u.code, u]));

function unitsAtLevel(level: 2 | 3 | 4, kinds?: readonly string[]): SeedOrgUnit[] {
  return SEED_ORG_UNITS.filter((u) => u.level === level && (!kinds || kinds.includes(u.kind)));
}

function districtOf(unit: SeedOrgUnit): SeedOrgUnit {
  if (unit.level <= 2) return unit;
  return unitByCode.get(unit.ancestorCodes[1] as string) as SeedOrgUnit;
}

function parentOf(unit: SeedOrgUnit): SeedOrgUnit {
  return unitByCode.get(unit.parentCode ?? unit.code) as SeedOrgUnit;
}

/** A Shanghai-local calendar date as an instant (local midnight). */
function localDate(year: number, month: number, day: number): Date {
  const pad = (n: number) => String(n).padStart(2, '0');
  return new Date(`${year}-${pad(month)}-${pad(day)}T00:00:00+08:00`);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** 2023年5月1日, the way documents are dated. */
function chineseDate(date: Date): string {
  const local = new Date(date.getTime() + 8 * 3_600_000);
  return `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
}

function localParts(date: Date): { y: number; m: number; d: number } {
  const local = new Date(date.getTime() + 8 * 3_600_000);
  return { y: local.getUTCFullYear(), m: local.getUTCMonth() + 1, d: local.getUTCDate() };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function htmlList(heading: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  return `<h3>${escapeHtml(heading)}</h3><ol>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ol>`;
}

/** A landline in the unit's district: 0572-2xxxxxx in the city and 吴兴, 3… in 南浔, 8… in 德清. */
function phoneFor(unit: SeedOrgUnit, prng: Prng): string {
  const first = { '330503': '3', '330521': '8' }[districtOf(unit).code] ?? '2';
  return `0572-${first}${String(prng.int(0, 999_999)).padStart(6, '0')}`;
}

function hex(prng: Prng, length: number): string {
  let out = '';
  while (out.length < length) out += prng.int(0, 15).toString(16);
  return out;
}

/** A 政府信息公开 article URL in the pattern Zhejiang government sites use. */
function articleUrl(site: string, date: Date, prng: Prng): string {
  const { y, m, d } = localParts(date);
  return `${site}/art/${y}/${m}/${d}/art_${1229000000 + prng.int(100_000, 999_999)}_${prng.int(50_000_000, 59_999_999)}.html`;
}

/** Issues document serials: per issuer prefix and year for 发文字号, per bureau and year for 索引号. */
class Serials {
  private readonly counters = new Map<string, number>();
  next(key: string, prng: Prng): number {
    const value = (this.counters.get(key) ?? 0) + prng.int(1, 9);
    this.counters.set(key, value);
    return value;
  }
}

interface Issuer {
  unit: SeedOrgUnit;
  name: string;
  docPrefix: string;
  uscc: string;
  site: string;
}

/** Who issues a template at a unit: the bureau, or the government office for 实施意见. */
function issuerFor(template: PolicyTemplate, department: SeedDepartment, unit: SeedOrgUnit): Issuer {
  const isCity = unit.level === 1;
  const byGovernmentOffice = template.genre === '实施意见';
  const bureau = isCity ? department.agency : `${unit.name}${department.districtAgency}`;
  const name = byGovernmentOffice ? `${unit.name}人民政府办公室` : bureau;
  const docPrefix = byGovernmentOffice ? `${unit.abbr}政办发` : `${unit.abbr}${department.docAbbr}发`;
  const orgCode = String(seedFrom(`${name}`) % 1_000_000_000).padStart(9, '0');
  const code = isCity && !byGovernmentOffice ? department.uscc : uscc(`11${unit.code}${orgCode}`);
  const site = isCity && !byGovernmentOffice ? department.contact.website : (unit.website ?? department.contact.website);
  return { unit, name, docPrefix, uscc: code, site };
}

/** The document's own name: 湖州市家庭医生签约服务实施办法, or 关于…的实施意见. */
function documentName(template: PolicyTemplate, unit: SeedOrgUnit): string {
  const quoted = /《(.+)》/.exec(template.subject)?.[1];
  if (quoted) return `${unit.name}${quoted}`;
  if (template.genre === '通知' || template.genre.endsWith('意见')) return `关于${template.subject}的${template.genre}`;
  const named = /(办法|规程|规范|细则)$/.test(template.subject) ? template.subject : `${template.subject}${template.genre}`;
  return `${unit.name}${named}`;
}

function policyTitle(template: PolicyTemplate, issuer: Issuer): string {
  const name = documentName(template, issuer.unit);
  return name.startsWith('关于') ? `${issuer.name}${name}` : `${issuer.name}关于印发《${name}》的通知`;
}

function policyBody(template: PolicyTemplate, issuer: Issuer, writtenAt: Date): string {
  const addressees = issuer.unit.level === 1 ? '各区县人民政府，市政府各部门' : '各乡镇人民政府、街道办事处，区级各部门';
  const sections = template.sections
    .map(([heading, text], i) => `<h3>${CHINESE_NUMERALS[i]}、${escapeHtml(heading)}</h3><p>${escapeHtml(text)}</p>`)
    .join('');
  return (
    `<p>${addressees}：</p>` +
    `<p>${escapeHtml(template.summary)}现将有关事项${template.genre.endsWith('意见') ? '提出如下意见' : '通知如下'}。</p>` +
    sections +
    `<p style="text-align:right">${escapeHtml(issuer.name)}</p><p style="text-align:right">${chineseDate(writtenAt)}</p>`
  );
}

interface PolicyDraft {
  record: PolicyInput;
  templateKey: string;
  isCityCurrent: boolean;
}

function policyVersion(
  template: PolicyTemplate,
  issuer: Issuer,
  year: number,
  prng: Prng,
  serials: Serials,
): PolicyInput {
  const department = departmentByCode(template.department);
  const writtenAt = localDate(year, prng.int(1, 12), prng.int(1, 28));
  const publishedAt = addDays(writtenAt, prng.int(2, 12));
  const effectiveFrom = addDays(publishedAt, prng.pick([0, 30]));
  const docSerial = serials.next(`${issuer.docPrefix}${year}`, prng);
  const indexSerial = serials.next(`${issuer.uscc}${year}`, prng);
  const title = policyTitle(template, issuer);
  const sourceUrl = articleUrl(issuer.site, publishedAt, prng);
  const effectiveTo = template.termYears ? addDays(effectiveFrom, template.termYears * 365) : undefined;
  const expired = effectiveTo !== undefined && effectiveTo.getTime() < Date.parse(`${DEMO_REFERENCE_DATE}T00:00:00+08:00`);
  return {
    kind: 'POLICY',
    sourceId: `policy-${template.key}-${issuer.unit.code}-${year}`,
    title,
    summary: template.summary,
    body: policyBody(template, issuer, writtenAt),
    department: department.code,
    orgUnitCodes: [issuer.unit.code],
    categories: template.categories,
    tags: template.tags,
    audience: template.audience,
    confidentiality: template.confidentiality ?? 'PUBLIC',
    sourceUrl,
    docNumber: `${issuer.docPrefix}〔${year}〕${docSerial}号`,
    indexNumber: `${issuer.uscc}/${year}-${String(indexSerial).padStart(5, '0')}`,
    issuers: [issuer.name],
    writtenAt,
    publishedAt,
    effectiveFrom,
    effectiveTo,
    validity: expired ? 'EXPIRED' : 'VALID',
    theme: template.theme,
    attachments: (template.attachments ?? []).map((name, i) => ({
      title: `附件${i + 1}：${name}`,
      url: `${sourceUrl.replace(/\.html$/, '')}_fj${i + 1}.${name.split('.').pop()}`,
    })),
    interpretations: template.interpreted
      ? [{ title: `《${documentName(template, issuer.unit)}》政策解读`, url: sourceUrl.replace(/\.html$/, '_jd.html') }]
      : [],
    relatedServiceItemCodes: [],
  };
}

/** The current version of a template at one unit, plus the version it replaced when revised. */
function policyVersions(template: PolicyTemplate, unit: SeedOrgUnit, serials: Serials): PolicyDraft[] {
  const prng = createPrng(seedFrom(`policy:${template.key}:${unit.code}`));
  const department = departmentByCode(template.department);
  const issuer = issuerFor(template, department, unit);
  const currentYear = template.revisedFrom ? prng.int(2022, 2025) : prng.int(2019, 2025);
  const current = policyVersion(template, issuer, currentYear, prng, serials);
  const drafts: PolicyDraft[] = [{ record: current, templateKey: template.key, isCityCurrent: unit.level === 1 }];
  if (template.revisedFrom) {
    const previous = policyVersion(template, issuer, currentYear - template.revisedFrom, prng, serials);
    drafts.push({
      record: {
        ...previous,
        validity: 'REPEALED',
        effectiveTo: current.effectiveFrom,
        supersededByDocNumber: current.docNumber,
        summary: `${previous.summary}（本文件已被${current.docNumber}废止。）`,
      },
      templateKey: template.key,
      isCityCurrent: false,
    });
  }
  return drafts;
}

function externalPolicies(): PolicyDraft[] {
  return EXTERNAL_POLICIES.map((p) => ({
    templateKey: p.key,
    isCityCurrent: true,
    record: {
      kind: 'POLICY',
      sourceId: `policy-${p.key}`,
      title: p.title,
      summary: p.summary,
      body: `<p>${escapeHtml(p.summary)}</p><p>（转发自${escapeHtml(p.issuers.join('、'))}）</p>`,
      department: p.department,
      orgUnitCodes: [city.code],
      categories: p.categories,
      tags: p.tags,
      audience: p.audience,
      sourceUrl: p.sourceUrl,
      docNumber: p.docNumber,
      issuers: p.issuers,
      writtenAt: new Date(`${p.writtenAt}T00:00:00+08:00`),
      publishedAt: new Date(`${p.publishedAt}T00:00:00+08:00`),
      validity: p.validity,
      theme: p.theme,
      relatedServiceItemCodes: [],
    },
  }));
}

function generatePolicies(): PolicyDraft[] {
  const serials = new Serials();
  const drafts = externalPolicies();
  for (const template of POLICY_TEMPLATES) {
    for (const unit of [city, ...(template.districts ? districts : [])]) {
      drafts.push(...policyVersions(template, unit, serials));
    }
  }
  return drafts;
}

/** Where a service is offered at a unit, and by whom. */
function serviceSite(template: ServiceTemplate, department: SeedDepartment, unit: SeedOrgUnit, prng: Prng) {
  const phone = phoneFor(unit, prng);
  const hours = template.hours ?? OFFICE_HOURS;
  const geo = { lng: unit.geo.lng + (prng.next() - 0.5) * 0.002, lat: unit.geo.lat + (prng.next() - 0.5) * 0.002 };
  const round = (n: number) => Math.round(n * 1e6) / 1e6;
  const point = { lng: round(geo.lng), lat: round(geo.lat) };
  if (unit.level === 2) {
    const centre = `${unit.name}政务服务中心`;
    return {
      agency: `${unit.name}${department.districtAgency}`,
      location: { name: centre, address: `${unit.address}${centre}${prng.int(1, 3)}楼${prng.int(1, 40)}号窗口`, hours, phone, geo: point },
    };
  }
  if (unit.level === 3) {
    const government = unit.kind === 'STREET' ? `${unit.name}办事处` : `${unit.name}人民政府`;
    const centre = `${unit.name}便民服务中心`;
    return {
      agency: government,
      location: { name: centre, address: `${unit.address}${centre}${prng.int(1, 12)}号窗口`, hours, phone, geo: point },
    };
  }
  const parent = parentOf(unit);
  const centre = `${unit.name}党群服务中心`;
  return {
    agency: parent.kind === 'STREET' ? `${parent.name}办事处` : `${parent.name}人民政府`,
    location: { name: `${centre}（便民服务代办点）`, address: `${unit.address}${centre}`, hours, phone, geo: point },
  };
}

/** Units offering a service: every unit of its level, or six villages/communities for level 4. */
function serviceUnits(template: ServiceTemplate): SeedOrgUnit[] {
  if (template.level !== 4) return unitsAtLevel(template.level);
  const prng = createPrng(seedFrom(`service-units:${template.key}`));
  const candidates = unitsAtLevel(4, ['VILLAGE', 'COMMUNITY']);
  return candidates.filter(() => prng.chance(6 / candidates.length)).slice(0, 6);
}

function generateServices(docNumberOf: (key: string) => string): ServiceInput[] {
  const services: ServiceInput[] = [];
  for (const template of SERVICE_TEMPLATES) {
    const department = departmentByCode(template.department);
    for (const unit of serviceUnits(template)) {
      const prng = createPrng(seedFrom(`service:${template.key}:${unit.code}`));
      const site = serviceSite(template, department, unit, prng);
      const itemCode = `${unit.code.padEnd(12, '0')}-${template.basicCode}`;
      const online = template.visitsRequired === 0;
      services.push({
        kind: 'SERVICE',
        sourceId: `service-${template.key}-${unit.code}`,
        title: template.name,
        summary: `${template.summary}办理地点：${site.location.name}。`,
        body:
          `<p>${escapeHtml(template.summary)}</p>` +
          htmlList('受理条件', template.conditions) +
          htmlList('申报材料', template.materials) +
          htmlList('办理流程', template.steps),
        department: department.code,
        orgUnitCodes: [unit.code],
        categories: template.categories,
        tags: template.tags,
        audience: template.audience,
        confidentiality: template.confidentiality ?? 'PUBLIC',
        itemCode,
        serviceType: template.serviceType,
        implementingAgency: site.agency,
        legalBasisDocNumbers: template.legalBasis.map(docNumberOf),
        conditions: template.conditions,
        materials: template.materials,
        steps: template.steps,
        timeLimitDays: template.timeLimitDays,
        fee: template.fee,
        isFree: template.fee === undefined,
        locations: [site.location],
        onlineUrl: online ? `https://www.zjzwfw.gov.cn/zjservice/item/detail/index.do?localInnerCode=${hex(prng, 32)}` : undefined,
        consultPhone: site.location.phone,
        complaintPhone: COMPLAINT_PHONE,
        visitsRequired: template.visitsRequired,
      });
    }
  }
  return services;
}

function fillPlaceholders(text: string, unit: SeedOrgUnit): string {
  const village = unit.kind === 'VILLAGE';
  return text
    .replaceAll('{unit}', unit.name)
    .replaceAll('{parent}', parentOf(unit).name)
    .replaceAll('{committee}', village ? '村民委员会' : '居民委员会')
    .replaceAll('{clinic}', village ? '村卫生室' : '社区卫生服务站');
}

function eventHosts(template: EventTemplate, prng: Prng): SeedOrgUnit[] {
  const candidates = unitsAtLevel(template.level, template.level === 4 ? (template.hostKinds ?? ['VILLAGE', 'COMMUNITY']) : undefined);
  return Array.from({ length: template.occurrences }, () => prng.pick(candidates));
}

function generateEvents(): EventInput[] {
  const events: EventInput[] = [];
  for (const template of EVENT_TEMPLATES) {
    const department = departmentByCode(template.department);
    const prng = createPrng(seedFrom(`event:${template.key}`));
    eventHosts(template, prng).forEach((unit, occurrence) => {
      const day = new Date(EVENT_SEASON_START + prng.int(0, EVENT_SEASON_DAYS) * DAY_MS);
      const allDay = template.startHour === undefined;
      const startsAt = allDay ? day : new Date(day.getTime() + (template.startHour ?? 0) * 3_600_000 + prng.pick([0, 30]) * 60_000);
      const endsAt = allDay ? addDays(day, 7) : new Date(startsAt.getTime() + template.durationHours * 3_600_000);
      const sourceId = `event-${template.key}-${String(occurrence + 1).padStart(2, '0')}`;
      const prefix = unit.level === 2 ? '' : `【${unit.name}】`;
      events.push({
        kind: 'EVENT',
        sourceId,
        title: `${prefix}${template.title}`,
        summary: template.summary,
        body: `<p>${escapeHtml(template.summary)}</p><p>时间：${chineseDate(startsAt)}${allDay ? '起' : ''}</p><p>地点：${escapeHtml(fillPlaceholders(template.venue, unit))}</p>`,
        department: department.code,
        orgUnitCodes: [unit.code],
        categories: template.categories,
        tags: template.tags,
        audience: template.audience,
        confidentiality: template.confidentiality ?? 'PUBLIC',
        sourceUrl: articleUrl(department.contact.website, addDays(startsAt, -prng.int(7, 20)), prng),
        startsAt,
        endsAt,
        allDay,
        venue: fillPlaceholders(template.venue, unit),
        organizer: fillPlaceholders(template.organizer, unit),
        capacity: template.capacity,
        registrationUrl: template.registration ? `${department.contact.website}/hdbm/${sourceId}` : undefined,
      });
    });
  }
  return events;
}

/** The whole demo catalogue, deterministic: policies first, then services, then events. */
export function generateDemoResources(): NormalizedRecordInput[] {
  const policies = generatePolicies();
  const docNumberByKey = new Map(
    policies.filter((p) => p.isCityCurrent).map((p) => [p.templateKey, p.record.docNumber as string]),
  );
  const docNumberOf = (key: string): string => {
    const docNumber = docNumberByKey.get(key);
    if (!docNumber) throw new Error(`服务的设定依据未找到 / Unknown legal basis policy: ${key}`);
    return docNumber;
  };
  const services = generateServices(docNumberOf);
  const servicesByDocNumber = new Map<string, string[]>();
  for (const service of services) {
    for (const docNumber of service.legalBasisDocNumbers ?? []) {
      servicesByDocNumber.set(docNumber, [...(servicesByDocNumber.get(docNumber) ?? []), service.itemCode as string]);
    }
  }
  const policyRecords = policies.map(({ record }) => ({
    ...record,
    relatedServiceItemCodes: servicesByDocNumber.get(record.docNumber as string) ?? [],
  }));
  return [...policyRecords, ...services, ...generateEvents()];
}
