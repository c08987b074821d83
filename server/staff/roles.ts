/** Staff roles (issue 5). Every admin route names the roles it allows. */
export const STAFF_ROLES = ['admin', 'supervisor', 'clerk', 'evaluator'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The signed-in staff member, put on ctx.state.staff by the staff session middleware. */
export interface StaffPrincipal {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  /** the server-side session row, so logout/revocation can name it */
  sessionId: string;
}
