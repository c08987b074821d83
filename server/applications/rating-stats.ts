import { and, count, eq, gte, lt } from 'drizzle-orm';
import { applicationRatings, applications, applicationTypes, ratingFollowUps, type Database } from '../../db/schema';

/**
 * Read-only 好差评 figures for the evaluator reports (server/reports): ratings per application
 * type, stage and score, and the bad-rating follow-ups opened in a period. No citizen, comment or
 * application number leaves this file.
 */
export interface RatingCount {
  typeCode: string;
  typeName: string;
  stage: string;
  score: number;
  count: number;
}

export interface FollowUpFigure {
  status: 'open' | 'closed';
  createdAt: Date;
  closedAt: Date | null;
  dueBefore: Date;
}

export async function ratingCounts(db: Database, range: { from: Date; to: Date }): Promise<RatingCount[]> {
  const rows = await db
    .select({ typeCode: applicationTypes.code, typeName: applicationTypes.name, stage: applicationRatings.stage, score: applicationRatings.score, count: count() })
    .from(applicationRatings)
    .innerJoin(applications, eq(applications.id, applicationRatings.applicationId))
    .innerJoin(applicationTypes, eq(applicationTypes.id, applications.typeId))
    .where(and(gte(applicationRatings.at, range.from), lt(applicationRatings.at, range.to)))
    .groupBy(applicationTypes.code, applicationTypes.name, applicationRatings.stage, applicationRatings.score);
  return rows.map((r) => ({ ...r, score: Number(r.score), count: Number(r.count) }));
}

export async function followUpFigures(db: Database, range: { from: Date; to: Date }): Promise<FollowUpFigure[]> {
  return db
    .select({ status: ratingFollowUps.status, createdAt: ratingFollowUps.createdAt, closedAt: ratingFollowUps.closedAt, dueBefore: ratingFollowUps.dueBefore })
    .from(ratingFollowUps)
    .where(and(gte(ratingFollowUps.createdAt, range.from), lt(ratingFollowUps.createdAt, range.to)));
}
