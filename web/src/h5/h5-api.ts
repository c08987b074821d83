/** The violations area's H5 API (server/violations/routes.ts), signed in through OAuth. */
import { apiDelete, apiGet, apiPost, withQuery } from '../common/api';
import { withSignIn } from '../common/auth-redirect';
import type { BoundVehicleView, LicenceView, LookupResult } from '../../../server/violations/schema';

export type { BoundVehicleView, LicenceView, LookupResult };
export type { ViolationView } from '../../../server/violations/schema';

export interface Me {
  guest: boolean;
  subscribed: boolean;
  displayName: string | null;
}

export const fetchMe = () => withSignIn(() => apiGet<Me>('/api/h5/me'));
export const fetchVehicles = () => withSignIn(() => apiGet<BoundVehicleView[]>('/api/h5/vehicles'));
export const bindVehicle = (body: { plateType: string; plateNo: string; vinSuffix: string }) =>
  withSignIn(() => apiPost<BoundVehicleView>('/api/h5/vehicles', body));
export const unbindVehicle = (id: number) => withSignIn(() => apiDelete(`/api/h5/vehicles/${id}`));
export const fetchLicence = () => withSignIn(() => apiGet<LicenceView>('/api/h5/licence'));

export type LookupRequest = { vehicleId: number } | { plateType: string; plateNo: string; vinSuffix?: string };

export const lookupViolations = (req: LookupRequest) =>
  withSignIn(() =>
    apiGet<LookupResult>(
      withQuery('/api/h5/violations', 'vehicleId' in req ? { vehicleId: req.vehicleId } : { ...req }),
    ),
  );
