// Meeting registration, shared by the REST routes and generate().
import { newPinCode, newZoomId, zoomTime, type Rng } from './ids.ts';
import type { Meeting, Registrant } from './state.ts';

export interface RegistrationInput {
  email: string;
  first_name: string;
  last_name?: string;
}

/**
 * Registers someone, or returns their existing registration: registering an email already on the
 * list gives back the same registrant_id and join_url (our reading of Zoom's behaviour; its docs do
 * not say) and leaves the stored names as they were.
 */
export function register(
  m: Meeting,
  origin: string,
  input: RegistrationInput,
  approved: boolean,
  at: Date,
  rng?: Rng,
): { registrant: Registrant; created: boolean } {
  const email = input.email.trim();
  const existing = m.registrants.find((r) => r.email.toLowerCase() === email.toLowerCase());
  if (existing) return { registrant: existing, created: false };
  const id = newZoomId(rng);
  const registrant: Registrant = {
    id,
    email,
    first_name: input.first_name,
    last_name: input.last_name ?? '',
    status: approved ? 'approved' : 'pending',
    create_time: zoomTime(at),
    join_url: `${origin}/w/${m.id}?tk=${newZoomId(rng)}.${id}`,
    participant_pin_code: newPinCode(rng),
  };
  m.registrants.push(registrant);
  return { registrant, created: true };
}

/** Checks a registrant-like body; returns Zoom-style field errors. */
export function registrationErrors(body: unknown, prefix = ''): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.email.trim())) {
    errors.push({ field: `${prefix}email`, message: 'Invalid field.' });
  }
  if (typeof b.first_name !== 'string' || b.first_name.trim() === '') {
    errors.push({ field: `${prefix}first_name`, message: 'Invalid field.' });
  } else if (b.first_name.length > 64) {
    errors.push({ field: `${prefix}first_name`, message: 'Length must be at most 64.' });
  }
  if (b.last_name !== undefined && typeof b.last_name !== 'string') {
    errors.push({ field: `${prefix}last_name`, message: 'Invalid field.' });
  }
  return errors;
}
