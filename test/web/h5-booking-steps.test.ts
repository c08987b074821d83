import { describe, expect, it } from 'vitest';
import { BOOKING_STEPS, STEP_ROUTE, furthestReachable, idsFromQuery, stepOfPath, stepOfRouteName, stepQuery } from '../../web/src/h5/booking-steps';

const ids = { service: 'licence_renewal', office: 3, date: '2026-11-23', slot: 99, appointment: 7 };

describe('booking steps as routes', () => {
  it('every step has its own path and page name, under /appointments', () => {
    const paths = BOOKING_STEPS.map((s) => STEP_ROUTE[s].path);
    expect(new Set(paths).size).toBe(BOOKING_STEPS.length);
    expect(paths.every((p) => p.startsWith('/appointments'))).toBe(true);
    expect(paths).not.toContain('/appointments/mine');
    expect(STEP_ROUTE.service.page).toBe('h5.appointments');
  });

  it('finds the step of a route name and of a history path with a query', () => {
    expect(stepOfRouteName('appointments-slot')).toBe('slot');
    expect(stepOfRouteName('appointments')).toBe('service');
    expect(stepOfRouteName('my-appointments')).toBeUndefined();
    expect(stepOfPath('/appointments/office?service=x')).toBe('office');
    expect(stepOfPath('/appointments')).toBe('service');
    expect(stepOfPath('/appointments/mine/3')).toBeUndefined();
  });

  it('each step’s query carries only the choices made before it', () => {
    expect(stepQuery('service', ids)).toEqual({});
    expect(stepQuery('office', ids)).toEqual({ service: 'licence_renewal' });
    expect(stepQuery('slot', ids)).toEqual({ service: 'licence_renewal', office: '3' });
    expect(stepQuery('confirm', ids)).toEqual({ service: 'licence_renewal', office: '3', date: '2026-11-23', slot: '99' });
    expect(stepQuery('done', ids)).toEqual({ id: '7' });
  });

  it('reads ids back from a query and ignores mangled values', () => {
    expect(idsFromQuery({ service: 'licence_renewal', office: '3', date: '2026-11-23', slot: '99', id: '7' })).toEqual(ids);
    expect(idsFromQuery({ service: '<script>', office: '3x', date: 'tomorrow', slot: ['5', '6'], id: '-1' })).toEqual({
      service: null,
      office: null,
      date: null,
      slot: 5,
      appointment: null,
    });
  });

  it('a step whose earlier choices are missing falls back to the furthest one that can be shown', () => {
    const none = { service: false, office: false, slot: false, result: false };
    expect(furthestReachable('confirm', none)).toBe('service');
    expect(furthestReachable('confirm', { ...none, service: true })).toBe('office');
    expect(furthestReachable('confirm', { ...none, service: true, office: true })).toBe('slot');
    expect(furthestReachable('confirm', { service: true, office: true, slot: true, result: false })).toBe('confirm');
    expect(furthestReachable('office', { service: true, office: true, slot: true, result: false })).toBe('office');
    expect(furthestReachable('done', { service: true, office: true, slot: true, result: false })).toBe('service');
    expect(furthestReachable('done', { ...none, result: true })).toBe('done');
    expect(furthestReachable('service', { service: true, office: true, slot: true, result: true })).toBe('service');
  });
});
