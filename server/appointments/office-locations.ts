import { and, eq } from 'drizzle-orm';
import { offices, type Database } from '../../db/schema';
import { AppError } from '../http/errors';

/**
 * Where an office is, for the H5 导航 button (wx.openLocation). Kept apart from the booking
 * service: it is a plain catalogue read that needs none of the booking rules.
 */
export interface OfficeLocationView {
  officeId: number;
  name: string;
  address: string;
  /** GCJ-02, as wx.openLocation expects; null when staff have not entered them */
  latitude: number | null;
  longitude: number | null;
}

export interface OfficeLocationService {
  locate(officeId: number): Promise<OfficeLocationView>;
}

export function createOfficeLocationService(deps: { db: Database }): OfficeLocationService {
  return {
    async locate(officeId) {
      const [o] = await deps.db
        .select({ id: offices.id, name: offices.name, address: offices.address, latitude: offices.latitude, longitude: offices.longitude })
        .from(offices)
        .where(and(eq(offices.id, officeId), eq(offices.active, true)))
        .limit(1);
      if (!o) throw new AppError('APPOINTMENT_OFFICE_NOT_FOUND');
      const known = o.latitude !== null && o.longitude !== null;
      return {
        officeId: o.id,
        name: o.name,
        address: o.address,
        latitude: known ? Number(o.latitude) : null,
        longitude: known ? Number(o.longitude) : null,
      };
    },
  };
}
