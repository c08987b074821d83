import { z } from 'zod';

/** Request contracts of the violations area (H5 pages import the types). */

export const lookupQuery = z.object({
  plateType: z.string().max(8).default(''),
  plateNo: z.string().max(32).default(''),
  vinSuffix: z.string().max(16).optional(),
});
export type LookupQuery = z.infer<typeof lookupQuery>;

export const bindBody = z.object({
  plateType: z.string().max(8),
  plateNo: z.string().max(32),
  vinSuffix: z.string().max(16),
});
export type BindBody = z.infer<typeof bindBody>;

export const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

export interface ViolationView {
  id: number;
  occurredAt: string;
  location: string;
  behaviourCode: string;
  behaviour: string;
  points: number;
  fineYuan: number;
  authority: string | null;
  status: 'unprocessed' | 'processed' | 'paid';
  paidAt: string | null;
  decisionNo: string | null;
}

export interface Totals {
  count: number;
  points: number;
  fineYuan: number;
}

export interface LookupResult {
  vehicle: { plateType: string; plateTypeName: string; plateNo: string; bound: boolean };
  violations: ViolationView[];
  totals: Totals & { unprocessed: Totals; processed: Totals; paid: Totals };
}

export interface BoundVehicleView {
  id: number;
  plateType: string;
  plateTypeName: string;
  plateNo: string;
  verifiedAt: string;
  unprocessedCount: number;
}

export interface LicenceView {
  licenceNo: string;
  vehicleClass: string;
  pointsInCycle: number;
  pointsLimit: number;
  cycleStart: string;
  cycleEnd: string;
  status: string;
}
