export { SchemaForm, type SchemaFormProps } from './SchemaForm';
export { defaultsOf, missingRequired, type JsonSchema } from './schema';
