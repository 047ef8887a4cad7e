import { Result } from 'antd';

export default function RunsPages() {
  return <Result status="info" title="runs" subTitle="建设中 / Coming soon" />;
}
