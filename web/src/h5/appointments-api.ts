/** The appointments area's H5 API (server/appointments/routes.ts), signed in through OAuth. */
import { apiGet, apiPost, withQuery } from '../common/api';
import { withSignIn } from '../common/auth-redirect';
import type { AppointmentView, OfficeView, ServiceView, SlotDayView, SlotView } from '../../../server/appointments/schema';

export type { AppointmentView, OfficeView, ServiceView, SlotDayView, SlotView };

export const fetchServices = () => withSignIn(() => apiGet<ServiceView[]>('/api/h5/appointment-services'));
export const fetchOffices = (service: string) => withSignIn(() => apiGet<OfficeView[]>(withQuery('/api/h5/offices', { service })));
export const fetchSlotDays = (office: number, service: string) =>
  withSignIn(() => apiGet<SlotDayView[]>(withQuery('/api/h5/slot-days', { office, service })));
export const fetchSlots = (office: number, service: string, date: string) =>
  withSignIn(() => apiGet<SlotView[]>(withQuery('/api/h5/slots', { office, service, date })));
export const bookAppointment = (slotId: number) => withSignIn(() => apiPost<AppointmentView>('/api/h5/appointments', { slotId }));
export const fetchAppointments = () => withSignIn(() => apiGet<AppointmentView[]>('/api/h5/appointments'));
export const fetchAppointment = (id: number) => withSignIn(() => apiGet<AppointmentView>(`/api/h5/appointments/${id}`));
export const cancelAppointment = (id: number) => withSignIn(() => apiPost<AppointmentView>(`/api/h5/appointments/${id}/cancel`, {}));
export const rescheduleAppointment = (id: number, slotId: number) =>
  withSignIn(() => apiPost<AppointmentView>(`/api/h5/appointments/${id}/reschedule`, { slotId }));

export type { OfficeLocationView } from '../../../server/appointments/office-locations';
export const fetchOfficeLocation = (officeId: number) =>
  apiGet<import('../../../server/appointments/office-locations').OfficeLocationView>(`/api/h5/offices/${officeId}/location`);
