import { Result } from 'antd';

export default function FeedsPages() {
  return <Result status="info" title="feeds" subTitle="建设中 / Coming soon" />;
}
