import { Button, Checkbox, Form, Input, List, Space, Tag, Typography, message } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { gql } from '../../api/client';
import { formatDateTime, PageState } from '../../components';
import { useTranslation } from '../../i18n';
import './messages';

interface ReviewComment {
  id: string;
  author: string;
  body: string;
  flag: boolean;
  resolvedAt: string | null;
  at: string;
}

const COMMENTS = `query ReviewComments($resourceId: ID!) {
  reviewComments(resourceId: $resourceId) { id author body flag resolvedAt at }
}`;
const COMMENT = `mutation CommentOnResource($resourceId: ID!, $body: String!, $flag: Boolean) {
  commentOnResource(resourceId: $resourceId, body: $body, flag: $flag) { id }
}`;
const RESOLVE = `mutation ResolveFlag($commentId: ID!) { resolveFlag(commentId: $commentId) { id } }`;

/** 点评: the comments on a resource, and a form to add one (optionally asking for correction). */
export function CommentsPanel({ resourceId, canComment }: { resourceId: string; canComment: boolean }) {
  const { t } = useTranslation('review');
  const client = useQueryClient();
  const [form] = Form.useForm<{ body: string; flag: boolean }>();
  const key = ['reviewComments', resourceId];
  const comments = useQuery({
    queryKey: key,
    queryFn: () => gql<{ reviewComments: ReviewComment[] }, { resourceId: string }>(COMMENTS, { resourceId }),
  });
  const refresh = () => client.invalidateQueries({ queryKey: key });
  const add = useMutation({
    mutationFn: (values: { body: string; flag: boolean }) =>
      gql<unknown, { resourceId: string; body: string; flag: boolean }>(COMMENT, { resourceId, body: values.body, flag: values.flag }),
    onSuccess: () => {
      message.success(t('commentAdded'));
      form.resetFields();
      void refresh();
    },
    onError: (error: Error) => message.error(error.message),
  });
  const resolve = useMutation({
    mutationFn: (commentId: string) => gql<unknown, { commentId: string }>(RESOLVE, { commentId }),
    onSuccess: () => void refresh(),
    onError: (error: Error) => message.error(error.message),
  });
  const items = comments.data?.reviewComments ?? [];

  return (
    <section aria-label={t('comments')}>
      <Typography.Title level={5}>{t('comments')}</Typography.Title>
      <PageState loading={comments.isLoading} error={comments.error} empty={items.length === 0} emptyText={t('noComments')} onRetry={() => void comments.refetch()}>
        <List<ReviewComment>
          size="small"
          aria-label={t('commentsLabel')}
          dataSource={items}
          renderItem={(comment) => (
            <List.Item
              actions={
                comment.flag && !comment.resolvedAt && canComment
                  ? [
                      <Button key="resolve" size="small" onClick={() => resolve.mutate(comment.id)} loading={resolve.isPending}>
                        {t('resolve')}
                      </Button>,
                    ]
                  : []
              }
            >
              <List.Item.Meta
                title={
                  <Space size="small">
                    <span>{comment.author}</span>
                    <Typography.Text type="secondary">{formatDateTime(comment.at)}</Typography.Text>
                    {comment.flag && <Tag color={comment.resolvedAt ? 'green' : 'orange'}>{comment.resolvedAt ? t('resolved') : t('flagged')}</Tag>}
                  </Space>
                }
                description={comment.body}
              />
            </List.Item>
          )}
        />
      </PageState>
      {canComment && (
        <Form form={form} layout="vertical" onFinish={(values) => add.mutate({ body: values.body, flag: Boolean(values.flag) })} initialValues={{ flag: false }}>
          <Form.Item name="body" label={t('commentBody')} rules={[{ required: true, whitespace: true, message: t('commentPlaceholder') }]}>
            <Input.TextArea rows={2} placeholder={t('commentPlaceholder')} maxLength={5000} />
          </Form.Item>
          <Space>
            <Form.Item name="flag" valuePropName="checked" noStyle>
              <Checkbox>{t('flag')}</Checkbox>
            </Form.Item>
            <Button htmlType="submit" loading={add.isPending}>
              {t('addComment')}
            </Button>
          </Space>
        </Form>
      )}
    </section>
  );
}
