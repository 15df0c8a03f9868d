// Pure rules of courses, shared by the course, participant and enrolment code.

/** Whether an email may be invited under a course's domain rule (no rule: anyone). */
export function emailAllowed(allowedDomains: readonly string[], email: string): boolean {
  if (!allowedDomains.length) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return allowedDomains.includes(domain);
}
