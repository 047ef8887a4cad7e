import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useId, useState } from 'react';
import { useTranslation } from '../../i18n';
import { discriminatorOf, defaultsOf, isPlainObject, resolve, typeOf, type JsonSchema } from './schema';
import './messages';

export interface SchemaFormProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Top-level properties edited elsewhere (a feed's mapping has its own editor). */
  omit?: string[];
  /** Labels for property names (`url` → 地址), by the property's dotted path or its name. */
  labels?: Record<string, string>;
}

/**
 * A form generated from a JSON Schema: objects, strings (enums as selects), numbers, booleans,
 * string lists, string maps, lists of objects, and `oneOf` variants told apart by a constant
 * property. Anything else is edited as JSON, so no schema leaves a field uneditable.
 */
export function SchemaForm({ schema, value, onChange, omit = [], labels = {} }: SchemaFormProps) {
  return (
    <Form layout="vertical" component="div">
      <SchemaField schema={schema} root={schema} value={value} onChange={onChange} path="" omit={omit} labels={labels} />
    </Form>
  );
}

interface FieldProps {
  schema: JsonSchema;
  root: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  path: string;
  omit?: string[];
  labels: Record<string, string>;
  label?: string;
  required?: boolean;
}

const LIST_ITEM_PATH = /\.\d+$/;

/** A union told apart by a discriminator property: one select, then the chosen branch's fields. */
function isVariant(schema: JsonSchema, root: JsonSchema): boolean {
  const branches = schema.oneOf ?? schema.anyOf;
  return Boolean(branches && discriminatorOf(branches, root));
}

function SchemaField(props: FieldProps) {
  const schema = resolve(props.schema, props.root);
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) {
    if (isVariant(schema, props.root)) return <VariantField {...props} schema={schema} branches={branches} />;
    const simple = branches.map((branch) => resolve(branch, props.root));
    // string | string[] (several source paths): a tag list, one tag saved as a plain string. Any
    // other union (a JSON value: number, object…) is edited as JSON.
    const isStringList = (branch: JsonSchema) => typeOf(branch) === 'array' && typeOf(resolve(branch.items ?? {}, props.root)) === 'string';
    if (simple.some((branch) => typeOf(branch) === 'string') && simple.some(isStringList) && simple.every((branch) => typeOf(branch) === 'string' || isStringList(branch))) {
      return <TagsField {...props} schema={schema} single />;
    }
    return <JsonField {...props} schema={schema} />;
  }
  switch (typeOf(schema)) {
    case 'object':
      if (schema.properties) return <ObjectField {...props} schema={schema} />;
      if (isPlainObject(schema.additionalProperties) && typeOf(resolve(schema.additionalProperties, props.root)) === 'string') return <MapField {...props} schema={schema} />;
      return <JsonField {...props} schema={schema} />;
    case 'array': {
      const items = resolve(schema.items ?? {}, props.root);
      const itemType = typeOf(items);
      if (itemType === 'string' && !items.enum) return <TagsField {...props} schema={schema} />;
      if (itemType === 'string' && items.enum) return <EnumField {...props} schema={items} multiple />;
      if ((itemType === 'object' && items.properties) || isVariant(items, props.root)) return <ListField {...props} schema={schema} items={items} />;
      return <JsonField {...props} schema={schema} />;
    }
    case 'string':
      if (schema.enum) return <EnumField {...props} schema={schema} />;
      if (schema.const !== undefined) return null;
      return <TextField {...props} schema={schema} />;
    case 'number':
    case 'integer':
      return <NumberField {...props} schema={schema} />;
    case 'boolean':
      return <BooleanField {...props} schema={schema} />;
    default:
      return <JsonField {...props} schema={schema} />;
  }
}

function labelOf(props: FieldProps): string {
  const name = props.path.split('.').pop() ?? '';
  return props.label ?? props.labels[props.path] ?? props.labels[name] ?? props.schema.title ?? name;
}

/** The labelled wrapper of one input; `id` ties the label to the input for screen readers. */
function Field({ props, id, children }: { props: FieldProps; id: string; children: React.ReactNode }) {
  const schema = resolve(props.schema, props.root);
  return (
    <Form.Item label={labelOf(props)} htmlFor={id} required={props.required} tooltip={schema.description} style={{ marginBottom: 12 }}>
      {children}
    </Form.Item>
  );
}

function ObjectField(props: FieldProps) {
  const schema = resolve(props.schema, props.root);
  const value = isPlainObject(props.value) ? props.value : {};
  const fields = Object.entries(schema.properties ?? {})
    .filter(([name]) => !(props.path === '' && props.omit?.includes(name)))
    .map(([name, property]) => (
      <SchemaField
        key={name}
        schema={property}
        root={props.root}
        path={props.path ? `${props.path}.${name}` : name}
        labels={props.labels}
        required={schema.required?.includes(name) && resolve(property, props.root).default === undefined}
        value={value[name]}
        onChange={(child) => {
          const next = { ...value };
          if (child === undefined) delete next[name];
          else next[name] = child;
          props.onChange(next);
        }}
      />
    ));
  if (props.path === '') return <>{fields}</>;
  return (
    <fieldset className="gx-fieldset">
      <legend>{labelOf(props)}</legend>
      {fields}
    </fieldset>
  );
}

function TextField(props: FieldProps) {
  const id = useId();
  return (
    <Field props={props} id={id}>
      <Input
        id={id}
        type={props.schema.format === 'uri' ? 'url' : 'text'}
        placeholder={typeof props.schema.default === 'string' ? props.schema.default : undefined}
        value={typeof props.value === 'string' ? props.value : ''}
        onChange={(event) => props.onChange(event.target.value === '' ? undefined : event.target.value)}
      />
    </Field>
  );
}

function NumberField(props: FieldProps) {
  const id = useId();
  const schema = resolve(props.schema, props.root);
  return (
    <Field props={props} id={id}>
      <InputNumber
        id={id}
        style={{ width: 200 }}
        min={schema.minimum}
        max={schema.maximum}
        precision={typeOf(schema) === 'integer' ? 0 : undefined}
        value={typeof props.value === 'number' ? props.value : null}
        onChange={(next) => props.onChange(next ?? undefined)}
      />
    </Field>
  );
}

function BooleanField(props: FieldProps) {
  const id = useId();
  return (
    <Field props={props} id={id}>
      <Switch id={id} aria-label={labelOf(props)} checked={props.value === true} onChange={(checked) => props.onChange(checked)} />
    </Field>
  );
}

function EnumField(props: FieldProps & { multiple?: boolean }) {
  const id = useId();
  const options = (props.schema.enum ?? []).map((option) => ({ value: String(option), label: String(option) }));
  return (
    <Field props={props} id={id}>
      <Select
        id={id}
        mode={props.multiple ? 'multiple' : undefined}
        allowClear
        options={options}
        value={props.value as string | string[] | undefined}
        onChange={(next: string | string[] | undefined) => props.onChange(next)}
      />
    </Field>
  );
}

function TagsField(props: FieldProps & { single?: boolean }) {
  const id = useId();
  const { t } = useTranslation('schemaForm');
  const values = Array.isArray(props.value) ? props.value.map(String) : typeof props.value === 'string' ? [props.value] : [];
  return (
    <Field props={props} id={id}>
      <Select
        id={id}
        mode="tags"
        open={false}
        suffixIcon={null}
        placeholder={t('tagsHint')}
        value={values}
        onChange={(next: string[]) => props.onChange(next.length === 0 ? undefined : props.single && next.length === 1 ? next[0] : next)}
      />
    </Field>
  );
}

function MapField(props: FieldProps) {
  const { t } = useTranslation('schemaForm');
  const entries = Object.entries(isPlainObject(props.value) ? props.value : {}).map(([key, entry]) => [key, String(entry)] as const);
  const write = (next: (readonly [string, string])[]) => props.onChange(Object.fromEntries(next));
  return (
    <Form.Item label={labelOf(props)} style={{ marginBottom: 12 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        {entries.map(([key, entry], index) => (
          <Space key={index}>
            <Input aria-label={t('key')} placeholder={t('key')} value={key} onChange={(event) => write(entries.map((pair, i) => (i === index ? [event.target.value, pair[1]] : pair)))} />
            <Input aria-label={t('value')} placeholder={t('value')} value={entry} onChange={(event) => write(entries.map((pair, i) => (i === index ? [pair[0], event.target.value] : pair)))} />
            <Button aria-label={t('remove')} icon={<DeleteOutlined />} onClick={() => write(entries.filter((_, i) => i !== index))} />
          </Space>
        ))}
        <Button size="small" icon={<PlusOutlined />} onClick={() => write([...entries, [`${t('key')}${entries.length + 1}`, '']])}>
          {t('add')}
        </Button>
      </Space>
    </Form.Item>
  );
}

function ListField(props: FieldProps & { items: JsonSchema }) {
  const { t } = useTranslation('schemaForm');
  const list = Array.isArray(props.value) ? props.value : [];
  const write = (next: unknown[]) => props.onChange(next);
  return (
    <Form.Item label={labelOf(props)} style={{ marginBottom: 12 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        {list.map((item, index) => (
          <Card
            key={index}
            size="small"
            title={`#${index + 1}`}
            // Each item is a named group ("fields #2"), so assistive technology and tests can tell nested lists apart.
            role="group"
            aria-label={`${labelOf(props)} #${index + 1}`}
            extra={<Button size="small" aria-label={`${t('remove')} #${index + 1}`} icon={<DeleteOutlined />} onClick={() => write(list.filter((_, i) => i !== index))} />}
          >
            <SchemaField
              {...props}
              schema={props.items}
              path={`${props.path}.${index}`}
              label={`#${index + 1}`}
              value={item}
              onChange={(next) => write(list.map((old, i) => (i === index ? next : old)))}
            />
          </Card>
        ))}
        <Button size="small" icon={<PlusOutlined />} onClick={() => write([...list, defaultsOf(props.items, props.root) ?? {}])}>
          {t('add')}
        </Button>
      </Space>
    </Form.Item>
  );
}

function VariantField(props: FieldProps & { branches: JsonSchema[] }) {
  const id = useId();
  const discriminator = discriminatorOf(props.branches, props.root)!;
  const branches = props.branches.map((branch) => resolve(branch, props.root));
  const fallback = resolve(props.schema, props.root).default;
  // Unset: show the default the hub will apply.
  const value = isPlainObject(props.value) ? props.value : isPlainObject(fallback) ? fallback : {};
  // At the root, and in a list item whose card already says "#n", the choice is named by its discriminator.
  const named = props.path === '' || LIST_ITEM_PATH.test(props.path);
  const label = named ? (props.labels[discriminator] ?? discriminator) : labelOf(props);
  const chosen = branches.find((branch) => branch.properties?.[discriminator]?.const === value[discriminator]);
  return (
    <>
      <Field props={{ ...props, label }} id={id}>
        <Select
          id={id}
          showSearch
          value={chosen ? String(chosen.properties?.[discriminator]?.const) : undefined}
          options={branches.map((branch) => ({ value: String(branch.properties?.[discriminator]?.const), label: String(branch.properties?.[discriminator]?.const) }))}
          onChange={(next: string) => {
            const branch = branches.find((candidate) => String(candidate.properties?.[discriminator]?.const) === next);
            props.onChange(branch ? defaultsOf(branch, props.root) : undefined);
          }}
        />
      </Field>
      {chosen && Object.keys(chosen.properties ?? {}).length > 1 && (
        <div style={{ paddingLeft: 16 }}>
          <ObjectField {...props} schema={chosen} label={label} path={props.path} value={value} />
        </div>
      )}
    </>
  );
}

function JsonField(props: FieldProps) {
  const id = useId();
  const { t } = useTranslation('schemaForm');
  const [text, setText] = useState(() => (props.value === undefined ? '' : JSON.stringify(props.value, null, 2)));
  const [invalid, setInvalid] = useState(false);
  return (
    <Form.Item label={labelOf(props)} htmlFor={id} validateStatus={invalid ? 'error' : undefined} help={invalid ? t('invalidJson') : undefined} style={{ marginBottom: 12 }}>
      <Input.TextArea
        id={id}
        autoSize={{ minRows: 2, maxRows: 10 }}
        style={{ fontFamily: 'monospace' }}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === '') {
            setInvalid(false);
            props.onChange(undefined);
            return;
          }
          try {
            props.onChange(JSON.parse(event.target.value));
            setInvalid(false);
          } catch {
            setInvalid(true);
          }
        }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        JSON
      </Typography.Text>
    </Form.Item>
  );
}
