// The platform's data: people, courses (LTI contexts) with their members, resource links placed by
// deep linking, AGS line items with the scores posted to them (the gradebook), and the one-time
// launch hints, access tokens and fault settings. Plain in-memory maps: the emulator is a test rig.
import { randomBytes } from 'node:crypto';

export const ROLE = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
} as const;

export type RoleName = keyof typeof ROLE;

export interface Person {
  /** The LTI `sub` (stable, opaque). */
  id: string;
  name: string;
  givenName?: string;
  familyName?: string;
  /** Omitted from launches and rosters when unset (an LMS may withhold it). */
  email?: string;
}

export interface Member {
  personId: string;
  role: RoleName;
  status: 'Active' | 'Inactive';
}

export interface ResourceLink {
  id: string;
  contextId: string;
  title: string;
  text?: string;
  /** The tool URL the launch targets (target_link_uri). */
  url: string;
  custom: Record<string, string>;
  createdAt: string;
}

export interface LineItem {
  id: string;
  contextId: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  resourceLinkId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
}

export interface StoredScore {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  timestamp: string;
  activityProgress: string;
  gradingProgress: string;
  receivedAt: string;
}

export interface Course {
  id: string;
  label: string;
  title: string;
  members: Member[];
}

export type MessageKind = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

/** Server-side record behind an lti_message_hint: which launch the auth request belongs to. */
export interface PendingLaunch {
  kind: MessageKind;
  personId: string;
  contextId: string;
  resourceLinkId?: string;
  targetLinkUri: string;
  expiresAt: number;
  /** deep_linking_settings.data: echoed back by the tool, checked on return. */
  data?: string;
}

export interface AccessToken {
  scopes: string[];
  expiresAt: number;
}

export interface ScoreFault {
  remaining: number;
  status: number;
}

export interface PlatformState {
  people: Map<string, Person>;
  courses: Map<string, Course>;
  links: Map<string, ResourceLink>;
  lineItems: Map<string, LineItem>;
  /** lineItemId -> userId -> the latest score. */
  scores: Map<string, Map<string, StoredScore>>;
  /** Every score post received, accepted or not (tests read it). */
  scoreLog: Array<{ lineItemId: string; userId: string; status: number; at: string }>;
  launches: Map<string, PendingLaunch>;
  /** deep_linking_settings.data -> the open deep-linking request it belongs to. */
  deepLinkData: Map<string, { contextId: string; personId: string; expiresAt: number }>;
  tokens: Map<string, AccessToken>;
  /** Client assertion `jti`s already used (replay protection), with their expiry. */
  usedJtis: Map<string, number>;
  scoreFault: ScoreFault | null;
}

export function newState(): PlatformState {
  return {
    people: new Map(),
    courses: new Map(),
    links: new Map(),
    lineItems: new Map(),
    scores: new Map(),
    scoreLog: [],
    launches: new Map(),
    deepLinkData: new Map(),
    tokens: new Map(),
    usedJtis: new Map(),
    scoreFault: null,
  };
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function activeMembers(course: Course): Member[] {
  return course.members.filter((m) => m.status === 'Active');
}

export function memberOf(course: Course, personId: string): Member | undefined {
  return course.members.find((m) => m.personId === personId);
}

/** The gradebook: one row per learner, one column per line item. */
export interface Gradebook {
  columns: Array<{ lineItemId: string; label: string; scoreMaximum: number; resourceLinkId?: string }>;
  rows: Array<{ personId: string; name: string; scores: Record<string, StoredScore | undefined> }>;
}

export function gradebookOf(state: PlatformState, contextId: string): Gradebook {
  const course = state.courses.get(contextId);
  const items = [...state.lineItems.values()].filter((li) => li.contextId === contextId);
  const columns = items.map((li) => ({
    lineItemId: li.id,
    label: li.label,
    scoreMaximum: li.scoreMaximum,
    resourceLinkId: li.resourceLinkId,
  }));
  const rows = (course?.members ?? [])
    .filter((m) => m.role === 'learner')
    .map((m) => {
      const person = state.people.get(m.personId);
      const scores: Record<string, StoredScore | undefined> = {};
      for (const li of items) scores[li.id] = state.scores.get(li.id)?.get(m.personId);
      return { personId: m.personId, name: person?.name ?? m.personId, scores };
    });
  return { columns, rows };
}
