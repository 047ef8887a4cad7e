import { registerMessages } from '../../i18n';

registerMessages('schemaForm', {
  zh: { add: '添加', remove: '删除', key: '名称', value: '值', invalidJson: 'JSON 格式无效', tagsHint: '输入后按回车添加' },
  en: { add: 'Add', remove: 'Remove', key: 'Name', value: 'Value', invalidJson: 'Invalid JSON', tagsHint: 'Type and press Enter' },
});
