import type { RowDataPacket } from 'mysql2';
import type { Database, VehicleRow, ViolationRow } from '../../db/schema';

/**
 * The hot path of 违法查询 for a bound vehicle: binding check, vehicle and its violations in ONE
 * prepared statement. The lookup benchmark showed three builder-made round trips costing more
 * than the data itself; this keeps the ownership rule (binding id AND citizen id) in the query.
 */
/** the most recent records a lookup shows */
export const LOOKUP_ROW_LIMIT = 500;

const BOUND_LOOKUP_SQL = `SELECT veh.id AS veh_id, veh.plate_type AS veh_plate_type, veh.plate_no AS veh_plate_no,
    v.id, v.occurred_at, v.location, v.behaviour_code, v.behaviour_text, v.points, v.fine_yuan,
    v.authority, v.status, v.paid_at, v.decision_no
  FROM vehicle_bindings b
  JOIN vehicles veh ON veh.id = b.vehicle_id
  LEFT JOIN violations v ON v.vehicle_id = veh.id
  WHERE b.id = ? AND b.citizen_id = ?
  ORDER BY v.occurred_at DESC
  LIMIT ${LOOKUP_ROW_LIMIT}`;

interface Row extends RowDataPacket {
  veh_id: number | string;
  veh_plate_type: string;
  veh_plate_no: string;
  id: number | string | null;
  occurred_at: Date;
  location: string;
  behaviour_code: string;
  behaviour_text: string;
  points: number;
  fine_yuan: number;
  authority: string | null;
  status: ViolationRow['status'];
  paid_at: Date | null;
  decision_no: string | null;
}

export type BoundLookupRows = {
  vehicle: Pick<VehicleRow, 'id' | 'plateType' | 'plateNo'>;
  violations: Omit<ViolationRow, 'vehicleId' | 'plateType' | 'plateNo' | 'updatedAt'>[];
};

/** undefined when the binding is not this citizen's (or does not exist). */
export async function boundLookup(db: Database, citizenId: number, bindingId: number): Promise<BoundLookupRows | undefined> {
  const [rows] = await db.$client.execute<Row[]>(BOUND_LOOKUP_SQL, [bindingId, citizenId]);
  const first = rows[0];
  if (!first) return undefined;
  return {
    vehicle: { id: Number(first.veh_id), plateType: first.veh_plate_type, plateNo: first.veh_plate_no },
    violations: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: Number(r.id),
        occurredAt: r.occurred_at,
        location: r.location,
        behaviourCode: r.behaviour_code,
        behaviourText: r.behaviour_text,
        points: r.points,
        fineYuan: r.fine_yuan,
        authority: r.authority,
        status: r.status,
        paidAt: r.paid_at,
        decisionNo: r.decision_no,
      })),
  };
}
