import type { InFlight } from '../http/in-flight';
import type { Logger } from '../logger';
import type { AppointmentService } from './service';

/**
 * Keeps the booking window filled: every `intervalMs` (and once at start) slots are generated
 * for all offices and services up to the last bookable day, so a day that enters the window, or
 * hours changed by staff, have slots before anyone asks (pages still generate on demand as a
 * fallback). Generation is idempotent (INSERT IGNORE on office, service, start), so several
 * instances doing it at once is harmless.
 */
export function startSlotWindow(deps: { appointments: AppointmentService; logger: Logger; inFlight: InFlight; intervalMs: number }): { stop(): void; runOnce(): Promise<number> } {
  const runOnce = () =>
    deps.inFlight.track(
      deps.appointments.generateSlots().then(
        (n) => {
          if (n > 0) deps.logger.info({ slots: n }, 'slot window extended');
          return n;
        },
        (err: unknown) => {
          deps.logger.warn({ err }, 'slot window generation failed; will retry');
          return 0;
        },
      ),
    );
  void runOnce();
  const timer = setInterval(() => void runOnce(), deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
