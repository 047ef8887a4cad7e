import { Schema, type Connection, type Model } from 'mongoose';

/**
 * hubMeta: one document per stored-data format the hub derives (for example `searchTerms`),
 * holding the version the data was last brought up to, so that an upgraded hub knows what to
 * migrate at startup.
 */
export interface HubMetaDoc {
  _id: string;
  version: number;
  updatedAt: Date;
}

export type HubMetaModel = Model<HubMetaDoc>;

export const hubMetaSchema = new Schema<HubMetaDoc>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'hubMeta', versionKey: false },
);

export function hubMetaModel(connection: Connection): HubMetaModel {
  return (connection.models.HubMeta as HubMetaModel | undefined) ?? connection.model<HubMetaDoc>('HubMeta', hubMetaSchema);
}
