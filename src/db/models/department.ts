import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A bilingual label: Simplified Chinese first, English alongside. */
export interface LocalizedName {
  zh: string;
  en: string;
}

/** 部门: a department that publishes services, policies and events (卫健, 教育, 文旅, 司法, 人社, …). */
export interface DepartmentDoc {
  _id: Types.ObjectId;
  /** Stable machine code used by feeds and records: health, education, culture, justice, hrss, … */
  code: string;
  name: LocalizedName;
  /** 联系方式 */
  contact: {
    phone?: string;
    email?: string;
    address?: string;
    website?: string;
  };
  /** Display order in pickers and facet lists. */
  sortOrder: number;
  createdAt: Date;
  updatedAt: Date;
}

export type DepartmentModel = Model<DepartmentDoc>;

export const localizedNameSchema = new Schema<LocalizedName>(
  { zh: { type: String, required: true, trim: true }, en: { type: String, required: true, trim: true } },
  { _id: false },
);

export const departmentSchema = new Schema<DepartmentDoc>(
  {
    code: { type: String, required: true, trim: true, lowercase: true, match: /^[a-z][a-z0-9_-]{0,63}$/ },
    name: { type: localizedNameSchema, required: true },
    contact: {
      phone: String,
      email: String,
      address: String,
      website: String,
    },
    sortOrder: { type: Number, default: 0 },
  },
  { collection: 'departments', timestamps: true },
);

departmentSchema.index({ code: 1 }, { unique: true });
departmentSchema.index({ sortOrder: 1, code: 1 });

export function departmentModel(connection: Connection): DepartmentModel {
  return (connection.models.Department as DepartmentModel | undefined) ?? connection.model<DepartmentDoc>('Department', departmentSchema);
}
