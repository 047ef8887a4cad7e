import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * locks: one lease document per feed (`_id` = `feed:<id>`). The holder renews `expiresAt`
 * while its run lasts; once it passes, any instance may take the lease over. `lastSlot`
 * remembers the last scheduled firing taken, so N instances firing the same cron slot
 * produce one run even when the first has already finished.
 */
export interface LeaseDoc {
  _id: string;
  holder: string | null;
  run: Types.ObjectId | null;
  expiresAt: Date;
  lastSlot: string | null;
}

export type LeaseModel = Model<LeaseDoc>;

export const leaseSchema = new Schema<LeaseDoc>(
  {
    _id: { type: String, required: true },
    holder: { type: String, default: null },
    run: { type: Schema.Types.ObjectId, default: null },
    expiresAt: { type: Date, required: true },
    lastSlot: { type: String, default: null },
  },
  { collection: 'locks', versionKey: false },
);

export function leaseModel(connection: Connection): LeaseModel {
  return (connection.models.Lease as LeaseModel | undefined) ?? connection.model<LeaseDoc>('Lease', leaseSchema);
}
