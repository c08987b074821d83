/**
 * Baselines for test/bench/lookup.ts and test/bench/booking.ts: bare Koa 3 + mysql2 (pool of
 * 10, like the portal's default), no session, no validation framework, no usage events.
 *
 *   tsx test/bench/peers.ts lookup  <databaseUrl>   GET  /violations?vehicleId=  one indexed SELECT
 *   tsx test/bench/peers.ts booking <databaseUrl>   POST /book {slotId, citizenId} conditional UPDATE + INSERT in one transaction
 *
 * Prints `listening on 127.0.0.1:<port>`.
 */
import Koa from 'koa';
import mysql, { type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';

const [mode, url] = process.argv.slice(2);
const pool = mysql.createPool({ uri: url!, connectionLimit: 10, timezone: 'Z', supportBigNumbers: true });
const app = new Koa();

if (mode === 'lookup') {
  app.use(async (ctx) => {
    const vehicleId = Number(ctx.query.vehicleId);
    if (!Number.isSafeInteger(vehicleId) || vehicleId <= 0) {
      ctx.status = 400;
      return;
    }
    const [rows] = await pool.query<RowDataPacket[]>(
      'SELECT id, occurred_at, location, behaviour_code, behaviour_text, points, fine_yuan, authority, status, paid_at, decision_no FROM violations WHERE vehicle_id = ? ORDER BY occurred_at DESC LIMIT 500',
      [vehicleId],
    );
    const totals = { count: rows.length, points: 0, fineYuan: 0 };
    for (const r of rows) {
      totals.points += Number(r.points);
      totals.fineYuan += Number(r.fine_yuan);
    }
    ctx.body = { data: { violations: rows, totals } };
  });
} else if (mode === 'booking') {
  let seq = 0;
  const base = process.pid.toString(36).toUpperCase().padStart(3, '0').slice(-3);
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    const { slotId, citizenId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { slotId: number; citizenId: number };
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const [u] = await conn.query<ResultSetHeader>('UPDATE appointment_slots SET booked = booked + 1 WHERE id = ? AND booked < capacity', [slotId]);
      if (u.affectedRows !== 1) {
        await conn.rollback();
        ctx.status = 409;
        ctx.body = { error: 'full' };
        return;
      }
      const [[slot]] = await conn.query<RowDataPacket[]>('SELECT office_id, service_id, starts_at, ends_at FROM appointment_slots WHERE id = ?', [slotId]);
      const now = new Date();
      const code = `${base}${(seq++).toString(36).toUpperCase().padStart(5, '0')}`.slice(-8);
      const [ins] = await conn.query<ResultSetHeader>(
        "INSERT INTO appointments (citizen_id, slot_id, office_id, service_id, starts_at, ends_at, status, confirmation_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?)",
        [citizenId, slotId, slot!.office_id, slot!.service_id, slot!.starts_at, slot!.ends_at, code, now, now],
      );
      await conn.commit();
      ctx.status = 201;
      ctx.body = { data: { id: ins.insertId, confirmationCode: code } };
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      throw err;
    } finally {
      conn.release();
    }
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}

const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(`listening on 127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
