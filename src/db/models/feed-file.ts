import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** feedFiles: every file uploaded to a feed, versioned; the bytes live in GridFS bucket `feedFiles`. */
export interface FeedFileDoc {
  _id: Types.ObjectId;
  feed: Types.ObjectId;
  version: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  gridFsId: Types.ObjectId;
  uploadedAt: Date;
  uploadedBy: string | null;
}

export type FeedFileModel = Model<FeedFileDoc>;

export const feedFileSchema = new Schema<FeedFileDoc>(
  {
    feed: { type: Schema.Types.ObjectId, ref: 'Feed', required: true },
    version: { type: Number, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    gridFsId: { type: Schema.Types.ObjectId, required: true },
    uploadedAt: { type: Date, required: true },
    uploadedBy: { type: String, default: null },
  },
  { collection: 'feedFiles', versionKey: false },
);
feedFileSchema.index({ feed: 1, version: -1 }, { unique: true });

export function feedFileModel(connection: Connection): FeedFileModel {
  return (
    (connection.models.FeedFile as FeedFileModel | undefined) ??
    connection.model<FeedFileDoc>('FeedFile', feedFileSchema)
  );
}
