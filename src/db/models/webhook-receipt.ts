import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** webhookReceipts: signatures already accepted, kept past the timestamp window to refuse replays. */
export interface WebhookReceiptDoc {
  /** The request's signature (hex). */
  _id: string;
  feed: Types.ObjectId;
  expiresAt: Date;
}

export type WebhookReceiptModel = Model<WebhookReceiptDoc>;

export const webhookReceiptSchema = new Schema<WebhookReceiptDoc>(
  {
    _id: { type: String, required: true },
    feed: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'webhookReceipts', versionKey: false },
);
webhookReceiptSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export function webhookReceiptModel(connection: Connection): WebhookReceiptModel {
  return (
    (connection.models.WebhookReceipt as WebhookReceiptModel | undefined) ??
    connection.model<WebhookReceiptDoc>('WebhookReceipt', webhookReceiptSchema)
  );
}
