/**
 * The booking flow's choices, held for the page's lifetime outside any component: each step is
 * its own route (booking-steps.ts), and going back must find them whether vue-router re-created
 * the page component or not.
 */
import { reactive } from 'vue';
import type { AppointmentView, OfficeView, ServiceView, SlotView } from './appointments-api';

export const bookingDraft = reactive({
  service: null as ServiceView | null,
  office: null as OfficeView | null,
  date: null as string | null,
  slot: null as SlotView | null,
  result: null as AppointmentView | null,
  /** a booking rule's message, kept when the flow steps back to pick again */
  bookError: '',
});
